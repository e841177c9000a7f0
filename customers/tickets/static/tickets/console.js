/* Agent console: put a reply template or a suggested FAQ's answer into the reply box. */
(function () {
  "use strict";
  var form = document.getElementById("reply-form");
  if (!form) { return; }
  var body = form.querySelector("textarea[name=body]");
  var templateField = form.querySelector("input[name=template]");
  var note = document.getElementById("reply-template-note");
  var gettext = window.gettext || function (s) { return s; };

  function insert(data) {
    body.value = body.value.trim() ? body.value.trim() + "\n\n" + data.body : data.body;
    templateField.value = data.id;
    if (note) {
      note.textContent = gettext("Reply template:") + " " + data.title;
      note.hidden = false;
    }
    body.focus();
  }

  function fail() {
    if (note) { note.textContent = gettext("The template could not be loaded."); note.hidden = false; }
  }

  document.querySelectorAll(".js-insert-template").forEach(function (link) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      fetch(link.href, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(insert).catch(fail);
    });
  });

  document.querySelectorAll(".js-insert-faq").forEach(function (faqForm) {
    faqForm.addEventListener("submit", function (event) {
      event.preventDefault();
      fetch(faqForm.action, {
        method: "POST", credentials: "same-origin", body: new FormData(faqForm),
        headers: { Accept: "application/json" }
      })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(insert).catch(fail);
    });
  });
}());
