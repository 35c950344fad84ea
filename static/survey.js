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

  // The count of characters under a text, made here: without the script there is nothing to count. A long
  // text without a limit of its own has the form's.
  function updateCounter(input) {
    var own = input.getAttribute("data-max-length");
    var limit = parseInt(own || (input.tagName === "TEXTAREA" && input.form.getAttribute("data-text-limit")), 10);
    if (!limit) { return; }
    var counter = input.nextElementSibling;
    if (!counter || !counter.classList.contains("counter")) {
      counter = document.createElement("p");
      input.parentNode.insertBefore(counter, input.nextSibling);
    }
    counter.textContent = input.value.length + " / " + limit;
    counter.className = "small counter" + (input.value.length > limit ? " over" : "");
  }

  // A refused save or submit comes back with the text not saved yet: it starts "changed".
  function watchUnsavedChanges(form) {
    var changed = form.hasAttribute("data-unsaved");
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
    if (form.hasAttribute("data-unsaved")) { send(); return; }
    form.addEventListener("focusin", send);
    form.addEventListener("input", send);
  }

  // --- A copy of the text typed, kept on this device until it is saved ---

  var NOT_KEPT = ["csrf_token", "form_state", "action"];

  function keptCopyStore(header) {
    var key = "tongket-draft-" + header.getAttribute("data-draft-key");
    return {
      read: function () {
        try { return JSON.parse(window.localStorage.getItem(key)); } catch (error) { return null; }
      },
      write: function (copy) {
        // Full or forbidden storage (private mode) only loses the comfort, never the page.
        try { window.localStorage.setItem(key, JSON.stringify(copy)); } catch (error) { /* not kept */ }
      },
      forget: function () {
        try { window.localStorage.removeItem(key); } catch (error) { /* nothing kept */ }
      }
    };
  }

  function formEntries(form) {
    var entries = [];
    var data = new FormData(form);
    data.forEach(function (value, name) {
      if (NOT_KEPT.indexOf(name) === -1) { entries.push([name, value]); }
    });
    return entries;
  }

  function restoreEntries(form, entries) {
    var values = {};
    entries.forEach(function (entry) { (values[entry[0]] = values[entry[0]] || []).push(entry[1]); });
    var used = {};
    for (var i = 0; i < form.elements.length; i++) {
      var element = form.elements[i];
      var name = element.name;
      if (!name || NOT_KEPT.indexOf(name) !== -1) { continue; }
      var kept = values[name] || [];
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = kept.indexOf(element.value) !== -1;
      } else {
        used[name] = (used[name] || 0) + 1;
        element.value = kept[used[name] - 1] || "";
      }
    }
  }

  function fieldStates(form) {
    return Array.prototype.map.call(form.elements, function (element) {
      return element.value + (element.checked ? "\u0001" : "");
    });
  }

  function isInView(element) {
    var box = element.getBoundingClientRect();
    return box.bottom > 0 && box.top < window.innerHeight;
  }

  // Where the person was typing: of the fields a restore changed, one on the screen (the browser brings a
  // reloaded page back where it was), else the first.
  function fieldRestoredWhereSeen(form, before) {
    var after = fieldStates(form);
    var changed = Array.prototype.filter.call(form.elements, function (element, index) {
      return after[index] !== before[index] && element.getClientRects().length > 0;
    });
    return changed.filter(isInView)[0] || changed[0] || null;
  }

  function showKeptTime(offer, copy) {
    var time = offer.querySelector("[data-kept-time]");
    var moment = new Date(copy.time);
    time.setAttribute("datetime", moment.toISOString());
    time.textContent = moment.toLocaleString(document.documentElement.lang || undefined,
      { dateStyle: "short", timeStyle: "short" });
  }

  // Keep what is typed in the form; offer back a copy that differs from what the page shows.
  // Until the person chooses, nothing is written, so the offered copy is never overwritten.
  function keepTypedText(form, store, onRestored) {
    var formId = form.getAttribute("data-form-id");
    var typed = form.hasAttribute("data-unsaved");
    var keeping = false;
    var pending = null;
    function keepNow() {
      if (pending !== null) { window.clearTimeout(pending); pending = null; }
      if (keeping && typed) { store.write({ form: formId, time: Date.now(), entries: formEntries(form) }); }
    }
    function keepSoon() {
      typed = true;
      if (keeping && pending === null) { pending = window.setTimeout(keepNow, 300); }
    }
    form.addEventListener("input", keepSoon);
    form.addEventListener("change", keepSoon);
    form.addEventListener("submit", keepNow);
    window.addEventListener("pagehide", keepNow);

    var copy = store.read();
    var offer = document.getElementById("kept-copy");
    if (!copy || !offer || JSON.stringify(copy.entries) === JSON.stringify(formEntries(form))) {
      keeping = true;
      // A refused form comes back holding text not saved yet: keep it now, not once typing resumes.
      keepNow();
      return;
    }
    showKeptTime(offer, copy);
    offer.hidden = false;
    offer.querySelector("[data-kept-restore]").addEventListener("click", function () {
      var before = fieldStates(form);
      restoreEntries(form, copy.entries);
      offer.hidden = true;
      keeping = true;
      onRestored();
      // The button is gone: the cursor goes to the text given back, rather than to the top of the page.
      var field = fieldRestoredWhereSeen(form, before);
      if (field) { field.focus(); }
    });
    offer.querySelector("[data-kept-discard]").addEventListener("click", function () {
      store.forget();
      offer.hidden = true;
      keeping = true;
      keepNow();
    });
  }

  // The read-only copy cannot take the text back: it offers to correct the report, or to discard.
  function offerKeptCopyElsewhere(store) {
    var copy = store.read();
    var offer = document.getElementById("kept-copy");
    if (!copy || !offer) { return; }
    showKeptTime(offer, copy);
    offer.hidden = false;
    offer.querySelector("[data-kept-discard]").addEventListener("click", function () {
      store.forget();
      offer.hidden = true;
    });
  }

  // A link of the error summary leads to its question (label first); the cursor then goes to the field,
  // once the browser has followed the link (which would otherwise take the focus back).
  function focusFieldsFromSummary(summary) {
    summary.addEventListener("click", function (event) {
      var link = event.target.closest('a[href^="#q-"]');
      var block = link && document.getElementById(link.getAttribute("href").slice(1));
      var field = block && block.querySelector("input:not([type=hidden]), textarea");
      if (field) { window.setTimeout(function () { field.focus({ preventScroll: true }); }, 0); }
    });
  }

  function updateCounters(form) {
    var counted = form.querySelectorAll("textarea");
    for (var k = 0; k < counted.length; k++) { updateCounter(counted[k]); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.survey");
    var header = document.querySelector(".unit-header[data-draft-key]");
    var store = header && keptCopyStore(header);
    if (store) {
      var copy = store.read();
      // The current version was saved from the form this copy was typed in: nothing is unsaved.
      if (copy && copy.form && copy.form === header.getAttribute("data-saved-form")) { store.forget(); }
    }
    if (form) {
      var notes = form.querySelectorAll(".condition");
      for (var i = 0; i < notes.length; i++) { notes[i].hidden = true; }
      updateConditions(form);
      form.addEventListener("change", function () { updateConditions(form); });
      form.addEventListener("input", function (event) { updateCounter(event.target); });
      updateCounters(form);
      if (!form.classList.contains("preview")) {
        watchUnsavedChanges(form);
        reportOpenedOnFirstAction(form);
      }
      if (store) {
        keepTypedText(form, store, function () {
          updateCounters(form);
          // As if typed: the conditions follow, the page counts as changed and the copy is kept.
          form.dispatchEvent(new Event("change"));
        });
      }
    } else if (store) {
      offerKeptCopyElsewhere(store);
    }
    var summary = document.getElementById("error-summary");
    if (summary) {
      focusFieldsFromSummary(summary);
      // A refused form starts at its list of what to correct, read first by a screen reader; Tab goes on
      // from there to its links.
      summary.focus();
    }
    var printButton = document.querySelector("[data-print]");
    if (printButton) {
      // Shown only where it works; the page says how to print without it.
      printButton.hidden = false;
      printButton.addEventListener("click", function () { window.print(); });
    }
  });
}());
