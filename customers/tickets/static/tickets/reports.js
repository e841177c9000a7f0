// Service report charts: inline SVG drawn from the page's JSON endpoint (data-report-url).
// No library and no external assets. The tables beside each chart carry the same figures, so the
// page reads the same without JavaScript; the charts are aria-hidden next to them.
(function () {
  "use strict";

  var SVG_NS = "http://www.w3.org/2000/svg";
  var gettext =
    window.gettext ||
    function (text) {
      return text;
    };
  var pgettext =
    window.pgettext ||
    function (context, text) {
      return text;
    };
  var interpolate =
    window.interpolate ||
    function (format, values) {
      return format.replace(/%\(\w+\)s/g, function (match) {
        return String(values[match.slice(2, -2)]);
      });
    };

  // ---- A small SVG toolkit ----------------------------------------------------------------

  function svgNode(name, attrs, parent) {
    var node = document.createElementNS(SVG_NS, name);
    Object.keys(attrs || {}).forEach(function (key) {
      node.setAttribute(key, attrs[key]);
    });
    if (parent) {
      parent.appendChild(node);
    }
    return node;
  }

  function svgText(parent, x, y, content, className, anchor) {
    var node = svgNode(
      "text",
      { x: x, y: y, class: className || "chart-label", "text-anchor": anchor || "start" },
      parent
    );
    node.textContent = content;
    return node;
  }

  function tooltip(node, content) {
    svgNode("title", {}, node).textContent = content;
    return node;
  }

  function canvas(container, width, height) {
    container.textContent = "";
    return svgNode(
      "svg",
      { viewBox: "0 0 " + width + " " + height, width: width, height: height, focusable: "false" },
      container
    );
  }

  // Roughly how wide a label is at 12px: CJK characters are about twice a Latin letter.
  function labelWidth(label) {
    var width = 0;
    for (var i = 0; i < label.length; i++) {
      width += label.charCodeAt(i) > 0x2e7f ? 12 : 7;
    }
    return width;
  }

  function fit(label, width) {
    label = String(label);
    if (labelWidth(label) <= width) {
      return label;
    }
    while (label.length > 1 && labelWidth(label) + 12 > width) {
      label = label.slice(0, -1);
    }
    return label + "…";
  }

  function formatNumber(value) {
    if (value === null || value === undefined) {
      return "—";
    }
    return Math.round(value * 100) / 100 + "";
  }

  // Round up to 1, 2 or 5 times a power of ten.
  function niceStep(value) {
    var power = Math.pow(10, Math.floor(Math.log(value) / Math.LN10));
    var steps = [1, 2, 5, 10];
    for (var i = 0; i < steps.length; i++) {
      if (steps[i] * power >= value - 1e-9) {
        return steps[i] * power;
      }
    }
    return 10 * power;
  }

  // An axis from 0 with about four round steps; counts get whole-number steps.
  function axis(peak, whole) {
    if (!(peak > 0)) {
      peak = 1;
    }
    var step = niceStep(peak / 4);
    if (whole) {
      step = Math.max(1, Math.round(step));
    }
    var max = step * Math.ceil(peak / step - 1e-9);
    var ticks = [];
    for (var tick = 0; tick <= max + 1e-9; tick += step) {
      ticks.push(Math.round(tick * 1000) / 1000);
    }
    return { max: max, ticks: ticks };
  }

  function legend(container, items) {
    var list = document.createElement("ul");
    list.className = "chart-legend";
    items.forEach(function (item) {
      var entry = document.createElement("li");
      var swatch = svgNode("svg", { viewBox: "0 0 12 12", "aria-hidden": "true" }, entry);
      svgNode("rect", { width: 12, height: 12, rx: 2, class: item.className }, swatch);
      entry.appendChild(document.createTextNode(item.name));
      list.appendChild(entry);
    });
    container.appendChild(list);
  }

  function message(container, text) {
    container.textContent = "";
    var note = document.createElement("p");
    note.className = "chart-message";
    note.textContent = text;
    container.appendChild(note);
  }

  function allZero(series) {
    return series.every(function (one) {
      return one.values.every(function (value) {
        return !value;
      });
    });
  }

  function seriesClass(one, index) {
    return one.className || "chart-s" + (index % 6);
  }

  // ---- Charts -----------------------------------------------------------------------------

  // Bars per category; several series side by side, or stacked (`percent`: each row to 100%).
  function barChart(container, options) {
    var categories = options.categories;
    var series = options.series;
    if (!categories.length || allZero(series)) {
      message(container, gettext("No data for this range."));
      return;
    }
    var unit = options.unit || "";
    var stacked = options.stacked || options.percent;
    var rowTotals = categories.map(function (_label, row) {
      return series.reduce(function (sum, one) {
        return sum + (one.values[row] || 0);
      }, 0);
    });
    function shown(value, row) {
      if (options.percent) {
        return rowTotals[row] ? (100 * value) / rowTotals[row] : 0;
      }
      return value || 0;
    }
    var peak = 0;
    categories.forEach(function (_label, row) {
      if (stacked) {
        var sum = 0;
        series.forEach(function (one) {
          sum += shown(one.values[row], row);
        });
        peak = Math.max(peak, sum);
      } else {
        series.forEach(function (one) {
          peak = Math.max(peak, shown(one.values[row], row));
        });
      }
    });
    var scale = options.percent
      ? { max: 100, ticks: [0, 25, 50, 75, 100] }
      : axis(peak, !options.unit);
    var lanes = stacked ? 1 : series.length;
    if (options.horizontal) {
      drawHorizontal(container, categories, series, scale, lanes, shown, unit, options);
    } else {
      drawVertical(container, categories, series, scale, lanes, shown, unit, options);
    }
    if (series.length > 1) {
      legend(
        container,
        series.map(function (one, index) {
          return { name: one.name, className: seriesClass(one, index) };
        })
      );
    }
  }

  function valueText(value, unit, percent) {
    return percent ? Math.round(value) + "%" : formatNumber(value) + unit;
  }

  function drawHorizontal(container, categories, series, scale, lanes, shown, unit, options) {
    var max = scale.max;
    var width = 600;
    var left = 130;
    var right = 50;
    var laneHeight = lanes > 1 ? 14 : 22;
    var rowHeight = lanes * laneHeight + 12;
    var top = 8;
    var height = top + categories.length * rowHeight + 24;
    var plot = width - left - right;
    var svg = canvas(container, width, height);
    var grid = svgNode("g", { class: "chart-grid" }, svg);
    scale.ticks.forEach(function (tick) {
      var x = left + (plot * tick) / max;
      svgNode("line", { x1: x, x2: x, y1: top, y2: height - 20 }, grid);
      svgText(svg, x, height - 6, valueText(tick, "", options.percent), "chart-label", "middle");
    });
    categories.forEach(function (label, row) {
      var y = top + row * rowHeight + 6;
      tooltip(
        svgText(svg, left - 8, y + (lanes * laneHeight) / 2 + 4, fit(label, left - 12), null, "end"),
        label
      );
      var offset = 0;
      series.forEach(function (one, index) {
        var missing = one.values[row] === null || one.values[row] === undefined;
        var raw = one.values[row] || 0;
        var value = shown(raw, row);
        var length = (plot * value) / max;
        var barY = lanes > 1 ? y + index * laneHeight : y;
        var x = left + (lanes > 1 ? 0 : offset);
        var bar = svgNode(
          "rect",
          {
            x: x,
            y: barY,
            width: Math.max(length, raw ? 1 : 0),
            height: laneHeight - 2,
            rx: 2,
            class: seriesClass(one, index),
          },
          svg
        );
        var detail = options.percent
          ? formatNumber(raw) + " (" + Math.round(value) + "%)"
          : valueText(raw, unit);
        tooltip(bar, label + " · " + one.name + ": " + detail);
        if (lanes > 1 || series.length === 1) {
          svgText(
            svg,
            x + length + 4,
            barY + laneHeight - 5,
            missing ? "—" : valueText(raw, unit),
            "chart-value"
          );
        } else if (length > 34 && raw) {
          // Inside a stacked segment.
          svgText(
            svg,
            x + length / 2,
            barY + laneHeight - 7,
            options.percent ? Math.round(value) + "%" : formatNumber(raw),
            "chart-value chart-value-inside",
            "middle"
          );
        }
        offset += length;
      });
    });
  }

  function drawVertical(container, categories, series, scale, lanes, shown, unit, options) {
    var max = scale.max;
    var width = 600;
    var height = 240;
    var left = 40;
    var bottom = 36;
    var top = 16;
    var plotHeight = height - top - bottom;
    var slot = (width - left) / categories.length;
    var barWidth = Math.min(48, (slot * 0.7) / lanes);
    var svg = canvas(container, width, height);
    var grid = svgNode("g", { class: "chart-grid" }, svg);
    scale.ticks.forEach(function (tick) {
      var y = top + plotHeight - (plotHeight * tick) / max;
      svgNode("line", { x1: left, x2: width, y1: y, y2: y }, grid);
      svgText(svg, left - 6, y + 4, valueText(tick, "", options.percent), "chart-label", "end");
    });
    categories.forEach(function (label, column) {
      var center = left + slot * column + slot / 2;
      tooltip(
        svgText(svg, center, height - bottom + 18, fit(label, slot - 8), null, "middle"),
        label
      );
      var base = top + plotHeight;
      series.forEach(function (one, index) {
        var raw = one.values[column] || 0;
        var value = shown(raw, column);
        var length = (plotHeight * value) / max;
        var x = center - (lanes * barWidth) / 2 + (lanes > 1 ? index * barWidth : 0);
        var bar = svgNode(
          "rect",
          {
            x: x,
            y: base - length,
            width: barWidth - 2,
            height: Math.max(length, raw ? 1 : 0),
            rx: 2,
            class: seriesClass(one, index),
          },
          svg
        );
        tooltip(bar, label + " · " + one.name + ": " + valueText(raw, unit));
        if (lanes > 1 || series.length === 1) {
          svgText(svg, x + barWidth / 2 - 1, base - length - 4, formatNumber(raw), "chart-value", "middle");
        }
        if (lanes === 1) {
          base -= length;
        }
      });
    });
  }

  // One line per series over the periods, points with tooltips, labels thinned to fit.
  function lineChart(container, options) {
    var categories = options.categories;
    var series = options.series;
    if (!categories.length || allZero(series)) {
      message(container, gettext("No data for this range."));
      return;
    }
    var width = 720;
    var height = 260;
    var left = 40;
    var right = 16;
    var top = 16;
    var bottom = 36;
    var plotWidth = width - left - right;
    var plotHeight = height - top - bottom;
    var peak = 0;
    series.forEach(function (one) {
      one.values.forEach(function (value) {
        peak = Math.max(peak, value || 0);
      });
    });
    var scale = axis(peak, true);
    var max = scale.max;
    var svg = canvas(container, width, height);
    var grid = svgNode("g", { class: "chart-grid" }, svg);
    scale.ticks.forEach(function (tick) {
      var y = top + plotHeight - (plotHeight * tick) / max;
      svgNode("line", { x1: left, x2: width - right, y1: y, y2: y }, grid);
      svgText(svg, left - 6, y + 4, formatNumber(tick), "chart-label", "end");
    });
    function xAt(index) {
      return categories.length === 1
        ? left + plotWidth / 2
        : left + (plotWidth * index) / (categories.length - 1);
    }
    function yAt(value) {
      return top + plotHeight - (plotHeight * (value || 0)) / max;
    }
    var every = Math.max(1, Math.ceil(categories.length / 8));
    categories.forEach(function (label, index) {
      if (index % every === 0 || index === categories.length - 1) {
        svgText(svg, xAt(index), height - bottom + 18, label, "chart-label", "middle");
      }
    });
    series.forEach(function (one, index) {
      var className = seriesClass(one, index);
      var points = one.values.map(function (value, position) {
        return xAt(position) + "," + yAt(value);
      });
      svgNode("polyline", { points: points.join(" "), class: "chart-line " + className }, svg);
      one.values.forEach(function (value, position) {
        var dot = svgNode(
          "circle",
          { cx: xAt(position), cy: yAt(value), r: categories.length > 40 ? 2 : 3.5, class: className },
          svg
        );
        tooltip(dot, categories[position] + " · " + one.name + ": " + formatNumber(value || 0));
      });
    });
    legend(
      container,
      series.map(function (one, index) {
        return { name: one.name, className: seriesClass(one, index) };
      })
    );
  }

  // A ring of shares with a figure in the middle.
  function donutChart(container, options) {
    var items = options.items;
    var total = items.reduce(function (sum, item) {
      return sum + (item.value || 0);
    }, 0);
    if (!total) {
      message(container, gettext("No data for this range."));
      return;
    }
    var size = 220;
    var radius = 90;
    var inner = 56;
    var center = size / 2;
    var svg = canvas(container, size, size);
    svg.setAttribute("class", "chart-donut");
    var angle = -Math.PI / 2;
    function point(r, a) {
      return center + r * Math.cos(a) + "," + (center + r * Math.sin(a));
    }
    items.forEach(function (item) {
      if (!item.value) {
        return;
      }
      var share = item.value / total;
      var shape;
      if (share >= 0.9999) {
        // A full ring cannot be one arc: two circles with an even-odd hole.
        shape = svgNode(
          "path",
          {
            d:
              "M" + (center - radius) + "," + center +
              "a" + radius + "," + radius + " 0 1,0 " + 2 * radius + ",0" +
              "a" + radius + "," + radius + " 0 1,0 " + -2 * radius + ",0" +
              "M" + (center - inner) + "," + center +
              "a" + inner + "," + inner + " 0 1,0 " + 2 * inner + ",0" +
              "a" + inner + "," + inner + " 0 1,0 " + -2 * inner + ",0Z",
            "fill-rule": "evenodd",
            class: item.className,
          },
          svg
        );
      } else {
        var end = angle + share * 2 * Math.PI;
        var large = share > 0.5 ? 1 : 0;
        shape = svgNode(
          "path",
          {
            d:
              "M" + point(radius, angle) +
              " A" + radius + "," + radius + " 0 " + large + ",1 " + point(radius, end) +
              " L" + point(inner, end) +
              " A" + inner + "," + inner + " 0 " + large + ",0 " + point(inner, angle) + "Z",
            class: item.className,
          },
          svg
        );
        angle = end;
      }
      tooltip(shape, item.label + ": " + item.value + " (" + Math.round(share * 100) + "%)");
    });
    if (options.center) {
      svgText(svg, center, center + 8, options.center, "chart-center", "middle");
    }
    legend(
      container,
      items.map(function (item) {
        return { name: item.label, className: item.className };
      })
    );
  }

  // ---- The report -------------------------------------------------------------------------

  function pluck(rows, key) {
    return rows.map(function (row) {
      return row[key];
    });
  }

  var TOP_ROWS = 10;

  var charts = {
    "by-category": function (node, data) {
      barChart(node, {
        categories: pluck(data.by_category, "label"),
        series: [{ name: gettext("Tickets"), values: pluck(data.by_category, "count") }],
      });
    },
    "by-product": function (node, data) {
      var rows = data.by_product.slice(0, TOP_ROWS);
      barChart(node, {
        horizontal: true,
        categories: pluck(rows, "label"),
        series: [{ name: gettext("Tickets"), values: pluck(rows, "count") }],
      });
    },
    "by-period": function (node, data) {
      var rows = data.by_period.series;
      lineChart(node, {
        categories: pluck(rows, "label"),
        series: [
          { name: gettext("Created"), values: pluck(rows, "created") },
          { name: gettext("Resolved"), values: pluck(rows, "resolved"), className: "chart-s2" },
        ],
      });
    },
    "feedback-by-product": function (node, data) {
      var rows = data.feedback.by_product.slice(0, TOP_ROWS);
      barChart(node, {
        horizontal: true,
        stacked: true,
        categories: pluck(rows, "label"),
        series: [
          { name: gettext("Complaints"), values: pluck(rows, "complaint"), className: "chart-s3" },
          { name: pgettext("ticket category", "Suggestions"), values: pluck(rows, "suggestion"), className: "chart-s0" },
        ],
      });
    },
    sla: function (node, data) {
      var rows = [data.sla.first_response, data.sla.resolution];
      barChart(node, {
        horizontal: true,
        percent: true,
        categories: [gettext("First response"), pgettext("SLA target", "Resolution")],
        series: [
          { name: gettext("Met"), values: pluck(rows, "met"), className: "chart-met" },
          { name: gettext("Breached"), values: pluck(rows, "breached"), className: "chart-breached" },
          { name: gettext("Still running"), values: pluck(rows, "running"), className: "chart-running" },
        ],
      });
    },
    times: function (node, data) {
      var rows = [data.times.first_response, data.times.resolution];
      barChart(node, {
        horizontal: true,
        unit: " " + gettext("h"),
        categories: [gettext("First response"), pgettext("SLA target", "Resolution")],
        series: [
          { name: gettext("Median"), values: pluck(rows, "median_hours") },
          { name: gettext("90th percentile"), values: pluck(rows, "p90_hours"), className: "chart-s1" },
        ],
      });
    },
    satisfaction: function (node, data) {
      var average = data.satisfaction.average;
      donutChart(node, {
        center: average === null ? "" : formatNumber(average),
        items: data.satisfaction.distribution.map(function (row) {
          return {
            label: interpolate(gettext("%(rating)s / 5"), { rating: row.rating }, true),
            value: row.count,
            className: "chart-rating-" + row.rating,
          };
        }),
      });
    },
    deflection: function (node, data) {
      var d = data.deflection;
      barChart(node, {
        horizontal: true,
        percent: true,
        categories: [gettext("Enquiries")],
        series: [
          { name: gettext("Answered by an FAQ"), values: [d.deflected], className: "chart-met" },
          { name: gettext("Ticket created"), values: [d.ticket], className: "chart-s0" },
          { name: gettext("Left without either"), values: [d.abandoned], className: "chart-running" },
        ],
      });
    },
    workload: function (node, data) {
      var rows = data.workload.slice(0, 15);
      barChart(node, {
        horizontal: true,
        categories: pluck(rows, "name"),
        series: [
          { name: gettext("Open now"), values: pluck(rows, "open") },
          { name: gettext("Resolved in range"), values: pluck(rows, "resolved"), className: "chart-s2" },
        ],
      });
    },
  };

  function draw(root, data) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-chart]"), function (node) {
      var chart = charts[node.getAttribute("data-chart")];
      if (chart) {
        chart(node, data);
      }
    });
  }

  function showError(root) {
    var note = document.createElement("p");
    note.className = "notice";
    note.setAttribute("role", "status");
    note.textContent = root.getAttribute("data-error-message");
    var summary = root.querySelector(".report-summary");
    root.insertBefore(note, summary ? summary.nextSibling : root.firstChild);
  }

  function start() {
    var root = document.querySelector("[data-report-url]");
    if (!root || !window.fetch) {
      return;
    }
    fetch(root.getAttribute("data-report-url"), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (data) {
        draw(root, data);
      })
      .catch(function () {
        showError(root);
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }

  // For tests and other pages: the helpers take a container and plain arrays.
  window.ZhikuCharts = { bar: barChart, line: lineChart, donut: donutChart };
})();
