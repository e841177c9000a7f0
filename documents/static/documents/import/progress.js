/* Bulk import: poll the job's progress as JSON and update the bar; reload once it is finished. */
(function () {
  "use strict";
  var root = document.querySelector("[data-import-progress]");
  if (!root || root.getAttribute("data-finished") === "true" || !window.fetch) {
    return;
  }
  var url = root.getAttribute("data-progress-url");
  var bar = root.querySelector("progress");

  function show(data) {
    root.querySelectorAll("[data-field]").forEach(function (node) {
      var name = node.getAttribute("data-field");
      if (data[name] !== undefined && data[name] !== null) {
        node.textContent = data[name];
      }
    });
    if (bar) {
      bar.value = data.percent;
      bar.textContent = data.percent + "%";
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.status);
        }
        return response.json();
      })
      .then(function (data) {
        show(data);
        if (data.finished) {
          window.location.reload(); // the per-file results are rendered by the server
        } else {
          window.setTimeout(poll, 1500);
        }
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }

  window.setTimeout(poll, 1000);
})();
