/* The committees' pages, beside survey.js: an export job followed in place, the call sheet's messages copied. */
(function () {
  "use strict";

  // --- An export job's page: its state put in place while the job runs, never a reload ---

  // Ask the job's state every few seconds and put it in the live region, which reads it out; once the job
  // has ended, the file's link takes the focus if nothing else had it. Should asking fail (signed out, the
  // network), the page's own Update link is shown again and the asking slows down.
  function followExportJob(region) {
    var url = region.getAttribute("data-state-url");
    var delay = 1000 * parseInt(region.getAttribute("data-poll-seconds"), 10);
    if (!url || !delay || !window.fetch) { return; }
    var wait = delay;
    // While the script follows the job, the page's Update link is not needed (a class, so that the
    // region's content stays as the server wrote it and is replaced only when it changes).
    region.classList.add("following");
    function failed() {
      region.classList.remove("following");
      wait = Math.min(wait * 2, 60000);
      window.setTimeout(ask, wait);
    }
    function show(job) {
      var focusWasFree = document.activeElement === document.body || region.contains(document.activeElement);
      var container = document.createElement("div");
      container.innerHTML = job.html;
      // Only a change is put in place: the live region reads out what it is given.
      if (container.innerHTML.trim() !== region.innerHTML.trim()) { region.innerHTML = container.innerHTML; }
      if (job.active) {
        region.classList.add("following");
        wait = delay;
        window.setTimeout(ask, wait);
        return;
      }
      var file = region.querySelector("[data-job-file]");
      if (file && focusWasFree) { file.focus(); }
    }
    function ask() {
      window.fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
          if (!response.ok || !json) { throw new Error("no state"); }
          return response.json();
        })
        .then(show, failed);
    }
    window.setTimeout(ask, wait);
  }

  // --- The call sheet's ready messages, copied to paste into Zalo or an SMS ---
  function copyText(textarea) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(textarea.value);
    }
    // Over plain HTTP the clipboard API is missing: the older command copies the selection.
    textarea.focus();
    textarea.select();
    return document.execCommand("copy") ? Promise.resolve() : Promise.reject(new Error("not copied"));
  }

  function offerCopyButtons() {
    var buttons = document.querySelectorAll("button[data-copy]");
    Array.prototype.forEach.call(buttons, function (button) {
      var textarea = document.getElementById(button.getAttribute("data-copy"));
      var status = button.nextElementSibling;
      button.hidden = false;
      button.addEventListener("click", function () {
        copyText(textarea).then(function () {
          status.textContent = button.getAttribute("data-copied");
        }, function () {
          // Selected, at least: the person copies it with the keyboard or a long press.
          textarea.focus();
          textarea.select();
        });
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    offerCopyButtons();
    var exportJob = document.getElementById("export-job");
    if (exportJob) { followExportJob(exportJob); }
  });
}());
