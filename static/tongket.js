/* Comfort only: the survey works the same without this file. */
(function () {
  "use strict";

  function checkedValues(form, name) {
    var values = [];
    var inputs = form.querySelectorAll('[name="' + name + '"]');
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i].checked) { values.push(inputs[i].value); }
    }
    return values;
  }

  // yes/no questions post "co" and "khong"; the config's show_if speaks of true and false.
  function asConfigValue(value) {
    return value === "co" ? true : value === "khong" ? false : value;
  }

  function updateConditions(form) {
    var conditional = form.querySelectorAll("[data-show-if]");
    for (var i = 0; i < conditional.length; i++) {
      var block = conditional[i];
      var wanted = JSON.parse(block.getAttribute("data-show-values"));
      var chosen = checkedValues(form, block.getAttribute("data-show-if"));
      var shown = false;
      for (var j = 0; j < chosen.length; j++) {
        if (wanted.indexOf(asConfigValue(chosen[j])) !== -1) { shown = true; }
      }
      block.hidden = !shown;
    }
  }

  function updateCounter(input) {
    var limit = parseInt(input.getAttribute("data-max-length"), 10);
    var counter = input.nextElementSibling;
    if (!limit || !counter || !counter.classList.contains("counter")) { return; }
    counter.hidden = false;
    counter.textContent = input.value.length + " / " + limit;
    counter.className = "small counter" + (input.value.length > limit ? " over" : "");
  }

  function watchUnsavedChanges(form) {
    var changed = false;
    form.addEventListener("input", function () { changed = true; });
    form.addEventListener("change", function () { changed = true; });
    form.addEventListener("submit", function () { changed = false; });
    window.addEventListener("beforeunload", function (event) {
      if (changed) { event.preventDefault(); event.returnValue = ""; }
    });
  }

  // A report counts as opened once a person acts on the page (a link preview only fetches it).
  function reportOpenedOnFirstAction(form) {
    var url = form.getAttribute("data-opened-url");
    if (!url || !navigator.sendBeacon) { return; }
    var sent = false;
    function send() {
      if (sent) { return; }
      sent = true;
      navigator.sendBeacon(url, new URLSearchParams({ form_state: form.elements.form_state.value }));
    }
    form.addEventListener("focusin", send);
    form.addEventListener("input", send);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.survey");
    if (form) {
      var notes = form.querySelectorAll(".condition");
      for (var i = 0; i < notes.length; i++) { notes[i].hidden = true; }
      updateConditions(form);
      form.addEventListener("change", function () { updateConditions(form); });
      form.addEventListener("input", function (event) {
        if (event.target.hasAttribute("data-max-length")) { updateCounter(event.target); }
      });
      var counted = form.querySelectorAll("textarea[data-max-length]");
      for (var k = 0; k < counted.length; k++) { updateCounter(counted[k]); }
      if (!form.classList.contains("preview")) {
        watchUnsavedChanges(form);
        reportOpenedOnFirstAction(form);
      }
    }
    var printButton = document.querySelector("[data-print]");
    if (printButton) { printButton.addEventListener("click", function () { window.print(); }); }
  });
}());
