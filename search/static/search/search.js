/* Search box autocomplete and keyboard shortcuts (plain JS, no dependencies).
 *
 * Markup: templates/search/_search_box.html — a div[data-search-autocomplete=<url>] holding an
 * input[role=combobox] and its ul[role=listbox]. Suggestions are fetched from the JSON endpoint
 * (items the user may see, trimmed by the server). ↑/↓ move, Enter picks (fills the box and
 * searches), Esc closes, "/" anywhere outside a text field focuses the box.
 */
(function () {
  "use strict";

  var DELAY_MS = 150;

  function setup(root) {
    if (root.dataset.searchReady) return;
    root.dataset.searchReady = "1";
    var url = root.dataset.searchAutocomplete;
    var input = root.querySelector("input[role=combobox]");
    var list = root.querySelector("[role=listbox]");
    var form = input.form;
    var timer = null;
    var controller = null;
    var active = -1;
    var lastPrefix = null;

    function options() {
      return list.querySelectorAll("[role=option]");
    }

    function close() {
      list.hidden = true;
      list.textContent = "";
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var items = options();
      if (!items.length) return;
      if (index < 0) index = items.length - 1;
      if (index >= items.length) index = 0;
      items.forEach(function (item, i) {
        item.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      active = index;
      input.setAttribute("aria-activedescendant", items[index].id);
      items[index].scrollIntoView({ block: "nearest" });
    }

    function pick(item) {
      input.value = item.dataset.title;
      close();
      if (form) {
        // A picked suggestion is a new query: drop the id of the previous search.
        var sid = form.querySelector("input[name=sid]");
        if (sid) sid.remove();
        form.submit();
      }
    }

    function render(suggestions) {
      list.textContent = "";
      active = -1;
      if (!suggestions.length) {
        close();
        return;
      }
      suggestions.forEach(function (suggestion, i) {
        var item = document.createElement("li");
        item.id = input.id + "-option-" + i;
        item.className = "search-suggestion";
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.dataset.title = suggestion.title;
        var title = document.createElement("span");
        title.className = "search-suggestion-title";
        title.textContent = suggestion.title; // text, never HTML
        var kind = document.createElement("span");
        kind.className = "search-suggestion-type";
        kind.textContent = suggestion.type_label || "";
        item.appendChild(title);
        item.appendChild(kind);
        item.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep focus in the box until the pick
          pick(item);
        });
        list.appendChild(item);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function fetchSuggestions() {
      var prefix = input.value.trim();
      if (prefix === lastPrefix) return;
      lastPrefix = prefix;
      if (!prefix) {
        close();
        return;
      }
      if (controller) controller.abort();
      controller = window.AbortController ? new AbortController() : null;
      var target = url + (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(prefix);
      fetch(target, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: controller ? controller.signal : undefined,
      })
        .then(function (response) {
          return response.ok ? response.json() : { suggestions: [] };
        })
        .then(function (data) {
          if (input.value.trim() === prefix) render(data.suggestions || []);
        })
        .catch(function () {
          /* aborted or offline: the plain form still works */
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(fetchSuggestions, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      var open = !list.hidden && options().length;
      if (event.key === "ArrowDown") {
        if (!open) {
          lastPrefix = null;
          fetchSuggestions();
          return;
        }
        event.preventDefault();
        highlight(active + 1);
      } else if (event.key === "ArrowUp") {
        if (!open) return;
        event.preventDefault();
        highlight(active - 1);
      } else if (event.key === "Enter") {
        if (open && active >= 0) {
          event.preventDefault();
          pick(options()[active]);
        }
      } else if (event.key === "Escape") {
        if (open) {
          event.preventDefault();
          close();
        }
      }
    });

    input.addEventListener("blur", function () {
      window.setTimeout(close, 100);
    });
  }

  function isTextField(element) {
    if (!element) return false;
    var tag = element.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || element.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTextField(document.activeElement)) return;
    var box = document.querySelector("[data-search-autocomplete] input[role=combobox]");
    if (!box) return;
    event.preventDefault();
    box.focus();
    box.select();
  });

  function init() {
    document.querySelectorAll("[data-search-autocomplete]").forEach(setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
