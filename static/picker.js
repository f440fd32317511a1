/* The participant picker. Next to every field marked data-picker, typing part of a company's name or INN
   offers matching companies from the catalogue (GET data-suggest-url on this script's tag), through the
   vendored accessible-autocomplete. Choosing one writes its INN (or, without one, its exact name) into the
   field: a new line where the field takes one company a line (data-picker="lines"), the value otherwise.
   Without JavaScript the field itself still takes an INN or exact name. No inline script: the CSP forbids it. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || typeof accessibleAutocomplete === "undefined") { return; }
  var texts = script.dataset;

  function escape(text) {
    var span = document.createElement("span");
    span.textContent = text == null ? "" : String(text);
    return span.innerHTML;
  }

  function keyOf(company) { return company.inn || company.name; }

  function choose(field, company) {
    if (field.dataset.picker === "lines") {
      var lines = field.value.split("\n").map(function (line) { return line.trim(); }).filter(Boolean);
      if (lines.indexOf(keyOf(company)) === -1) { lines.push(keyOf(company)); }
      field.value = lines.join("\n");
    } else {
      field.value = keyOf(company);
    }
    field.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.querySelectorAll("[data-picker]").forEach(function (field) {
    var id = field.id + "-picker";
    var wrapper = document.createElement("div");
    wrapper.className = "company-picker mb-2";
    var label = document.createElement("label");
    label.className = "form-label small text-secondary mb-1";
    label.htmlFor = id;
    // Named after the field it serves (several pickers on one page must be told apart).
    var fieldLabel = document.querySelector('label[for="' + field.id + '"]');
    label.textContent = texts.label + (fieldLabel ? " — " + fieldLabel.textContent.trim() : "");
    var holder = document.createElement("div");
    wrapper.appendChild(label);
    wrapper.appendChild(holder);
    field.parentNode.insertBefore(wrapper, field);
    var timer = null;
    accessibleAutocomplete({
      element: holder,
      id: id,
      name: "",  // the picker's own text is not sent: the field it fills is
      minLength: 2,
      confirmOnBlur: false,
      showNoOptionsFound: true,
      tNoResults: function () { return texts.noResults; },
      tStatusQueryTooShort: function () { return texts.tooShort; },
      tStatusNoResults: function () { return texts.noResults; },
      tStatusSelectedOption: function (option) { return option; },
      tStatusResults: function (count) { return texts.results.replace("{num}", count); },
      source: function (query, populate) {
        clearTimeout(timer);
        timer = setTimeout(function () {
          fetch(texts.suggestUrl + "?q=" + encodeURIComponent(query), { headers: { Accept: "application/json" } })
            .then(function (response) { return response.ok ? response.json() : []; })
            .then(populate, function () { populate([]); });
        }, 200);
      },
      templates: {
        inputValue: function (company) { return company && field.dataset.picker !== "lines" ? company.name : ""; },
        suggestion: function (company) {
          if (typeof company === "string") { return escape(company); }
          var details = [company.inn, company.region].filter(Boolean).join(", ");
          return escape(company.name) + (details ? ' <span class="text-secondary small">' + escape(details) + "</span>" : "");
        }
      },
      onConfirm: function (company) { if (company && typeof company === "object") { choose(field, company); } }
    });
  });
})();
