/* Help-centre contact form: FAQ suggestions as the customer types (plain JS, no dependencies).
 *
 * Markup: templates/tickets/contact/contact.html — form[data-contact-suggest=<url>] holding the
 * question box and div[data-contact-suggestions]. Suggestions come from help_contact:suggest
 * (FAQs the visitor may see, trimmed by the server) and are inserted as text, never as HTML.
 * Each one gets a "This answered my question" submit button of the same form (name "faq"), so
 * the answer is recorded by the server exactly as without JavaScript.
 */
(function () {
  "use strict";

  var DELAY_MS = 350;
  var MIN_CHARS = 2;
  var gettext = window.gettext || function (s) { return s; };

  function setup(form) {
    var url = form.dataset.contactSuggest;
    var input = form.querySelector("textarea[name=question], input[name=question]");
    var box = form.querySelector("[data-contact-suggestions]");
    if (!url || !input || !box || !window.fetch) return;
    var timer = null;
    var controller = null;
    var lastQuery = input.value.trim();

    function render(suggestions) {
      box.textContent = "";
      if (!suggestions.length) {
        var empty = document.createElement("p");
        empty.className = "empty";
        empty.textContent = gettext("We found no answer to that yet. Send us your question below and we will help you.");
        box.appendChild(empty);
        box.hidden = false;
        return;
      }
      var heading = document.createElement("h2");
      heading.className = "section-title";
      heading.textContent = gettext("Answers that may help");
      box.appendChild(heading);
      var list = document.createElement("ul");
      list.className = "item-list";
      suggestions.forEach(function (suggestion) {
        var item = document.createElement("li");
        item.className = "contact-suggestion";
        item.dataset.faq = String(suggestion.id);
        var link = document.createElement("a");
        link.className = "contact-suggestion-title";
        link.href = suggestion.url;
        link.textContent = suggestion.title;
        item.appendChild(link);
        if (suggestion.snippet) {
          var snippet = document.createElement("p");
          snippet.className = "contact-suggestion-snippet";
          snippet.textContent = suggestion.snippet;
          item.appendChild(snippet);
        }
        var button = document.createElement("button");
        button.type = "submit";
        button.className = "button";
        button.name = "faq";
        button.value = String(suggestion.id);
        button.textContent = gettext("This answered my question");
        item.appendChild(button);
        list.appendChild(item);
      });
      box.appendChild(list);
      box.hidden = false;
    }

    function fetchSuggestions() {
      var query = input.value.trim();
      if (query === lastQuery) return;
      lastQuery = query;
      if (query.length < MIN_CHARS) {
        box.hidden = true;
        box.textContent = "";
        return;
      }
      if (controller) controller.abort();
      controller = window.AbortController ? new AbortController() : null;
      var target = url + (url.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(query);
      fetch(target, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: controller ? controller.signal : undefined,
      })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (data) {
          if (input.value.trim() === query) render(data.suggestions || []);
        })
        .catch(function () {
          /* aborted or offline: the "Find answers" button still works */
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(fetchSuggestions, DELAY_MS);
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-contact-suggest]"), setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
