// Conveniences for the registry's forms; every form works without this file.
// 1. The diagnostic block's relief and verdict as the clinician types, from the configured
//    thresholds the form carries (the saved record shows the server's own verdict).
// 2. A procedure row shows only the fields that apply to the chosen kind.
// 3. A link just made can be copied with one tap.
(function () {
  "use strict";
  document.querySelectorAll("form[data-positive-relief]").forEach(function (form) {
    var output = form.querySelector("#relief-output");
    function number(name) {
      var field = form.querySelector("[name='" + name + "']:checked") || form.querySelector("input[type=number][name='" + name + "']");
      return field && field.value !== "" ? Number(field.value) : NaN;
    }
    function update() {
      var before = number("nrsBefore"), after = number("nrsAfter"), minutes = number("assessedMinutesAfter");
      if (!(before > 0) || isNaN(after)) { output.textContent = "–"; return; }
      var relief = (before - after) / before * 100;
      var inWindow = isNaN(minutes) || (minutes >= Number(form.dataset.windowMinimum) && minutes <= Number(form.dataset.windowMaximum));
      var positive = relief >= Number(form.dataset.positiveRelief) && inWindow;
      output.textContent = (Math.round(relief * 10) / 10).toFixed(1) + "% · " + (positive ? form.dataset.positiveLabel : form.dataset.negativeLabel)
        + (inWindow ? "" : " (" + form.dataset.outsideLabel + ")");
      output.className = positive ? "positive" : "negative";
    }
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
  });
  // 3. A copy button beside a link just made (hidden without this script or a clipboard).
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    if (!navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(document.getElementById(button.dataset.copy).textContent).then(function () {
        button.textContent = button.dataset.copied;
      });
    });
  });
  document.querySelectorAll("select[name$='.kind']").forEach(function (select) {
    var group = select.closest("fieldset");
    function update() {
      group.querySelectorAll(".field[data-kinds]").forEach(function (field) {
        field.hidden = select.value !== "" && field.dataset.kinds.split(" ").indexOf(select.value) < 0;
      });
    }
    select.addEventListener("change", update);
    update();
  });
})();
