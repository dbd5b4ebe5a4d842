// picket console: progressive enhancements only. Every page works without this file.
(function () {
  "use strict";

  // Inbox: "select all" checkbox and a count of the selected alerts.
  function setupBulk() {
    var form = document.getElementById("bulk-form");
    if (!form) return;
    var all = document.getElementById("select-all");
    var boxes = form.querySelectorAll("input[type=checkbox][name=id]:not([disabled])");
    var counter = form.querySelector(".selected-count");
    var button = document.getElementById("bulk-ack");
    function update() {
      var n = 0;
      boxes.forEach(function (b) { if (b.checked) n++; });
      if (counter) counter.textContent = n === 0 ? "" : n + " selected";
      if (button) button.disabled = n === 0;
      if (all) {
        all.checked = n > 0 && n === boxes.length;
        all.indeterminate = n > 0 && n < boxes.length;
      }
    }
    if (all && boxes.length > 0) {
      all.closest("label").hidden = false;
      all.addEventListener("change", function () {
        boxes.forEach(function (b) { b.checked = all.checked; });
        update();
      });
    }
    boxes.forEach(function (b) { b.addEventListener("change", update); });
    update();
  }

  // Forms with data-confirm ask before submitting.
  function setupConfirm() {
    document.querySelectorAll("form[data-confirm]").forEach(function (f) {
      f.addEventListener("submit", function (e) {
        if (!window.confirm(f.getAttribute("data-confirm"))) e.preventDefault();
      });
    });
  }

  // Filter selects submit their form on change.
  function setupFilters() {
    document.querySelectorAll("form.filters select").forEach(function (s) {
      s.addEventListener("change", function () { s.form.requestSubmit(); });
    });
  }

  // A form shown again with errors: move the focus to the first field to correct.
  function focusInvalid() {
    var f = document.querySelector("form [aria-invalid=true]");
    if (f) f.focus();
  }

  function init() {
    setupBulk();
    setupConfirm();
    setupFilters();
    focusInvalid();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
