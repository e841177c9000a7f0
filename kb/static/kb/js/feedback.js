// "Was this helpful?" without a page reload. Without JavaScript (or fetch) the form posts and the
// server redirects back to the page, which then shows the same thank-you.
(function () {
  "use strict";

  function showError(form, text) {
    var error = form.querySelector(".feedback-error");
    if (!error) {
      error = document.createElement("p");
      error.className = "feedback-error";
      error.setAttribute("role", "alert");
      form.appendChild(error);
    }
    error.textContent = text;
  }

  function setBusy(form, busy) {
    Array.prototype.forEach.call(form.querySelectorAll("button"), function (button) {
      button.disabled = busy;
    });
  }

  function enhance(form) {
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (!window.fetch || !window.FormData || !submitter) {
        return; // let the browser post the form
      }
      event.preventDefault();
      var section = form.closest("[data-feedback]");
      var status = section.querySelector("[data-feedback-status]");
      var data = new FormData(form);
      data.append(submitter.name, submitter.value);
      setBusy(form, true);
      fetch(form.action, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.json().catch(function () {
            return {};
          });
        })
        .then(function (body) {
          if (!body.ok) {
            setBusy(form, false);
            showError(form, body.error || form.dataset.errorMessage);
            return;
          }
          var thanks = document.createElement("p");
          thanks.className = "feedback-thanks";
          thanks.textContent = body.message;
          status.textContent = "";
          status.appendChild(thanks);
          var formBody = section.querySelector("[data-feedback-body]");
          (formBody || form).hidden = true;
        })
        .catch(function () {
          setBusy(form, false);
          showError(form, form.dataset.errorMessage);
        });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-feedback-form]"), enhance);
  });
})();
