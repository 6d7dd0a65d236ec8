/* Staff console: a status chosen (or a note typed) but not saved is not lost silently.

   The console works without JavaScript; this script only warns. A form marked
   data-unsaved="<what it holds>" is unsaved while one of its fields differs from what the page
   was loaded with, or while it shows an error from the server (what was typed came back). Then
   its own "Not saved yet" shows beside its button, one line at the top of the page (a polite
   live region, so a screen reader hears it once) says what is unsaved, and leaving the page
   asks first (beforeunload). Saving stays an explicit button press: web/staff/README.md says
   why. */
(function () {
  "use strict";
  var forms = Array.prototype.slice.call(document.querySelectorAll("form[data-unsaved]"));
  if (!forms.length) {
    return;
  }
  var banner = document.getElementById("unsaved-banner");
  // The form being submitted is being saved: its own button must not ask "leave the page?".
  var submitting = null;

  function changed(field) {
    if (field.disabled || field.type === "hidden" || field.tagName === "BUTTON") {
      return false;
    }
    if (field.tagName === "SELECT") {
      return Array.prototype.some.call(field.options, function (option) {
        return option.selected !== option.defaultSelected;
      });
    }
    if (field.type === "checkbox" || field.type === "radio") {
      return field.checked !== field.defaultChecked;
    }
    return "defaultValue" in field && field.value !== field.defaultValue;
  }

  function unsaved(form) {
    if (form === submitting) {
      return false;
    }
    return Boolean(form.querySelector(".error")) ||
      Array.prototype.some.call(form.elements, changed);
  }

  function update() {
    var pending = forms.filter(unsaved);
    forms.forEach(function (form) {
      var on = pending.indexOf(form) >= 0;
      var note = form.querySelector(".unsaved-note");
      form.classList.toggle("unsaved", on);
      if (note) {
        note.hidden = !on;
      }
    });
    if (banner) {
      var text = pending.length
        ? "Not saved yet: " + pending.map(function (form) {
          return form.getAttribute("data-unsaved");
        }).join("; ") + ". Press its button to save, or it is lost when you leave this page."
        : "";
      if (banner.textContent !== text) {
        banner.textContent = "";
        if (text) {
          var line = document.createElement("p");
          line.className = "notice";
          line.textContent = text;
          banner.appendChild(line);
        }
      }
    }
    return pending;
  }

  forms.forEach(function (form) {
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    form.addEventListener("submit", function () {
      submitting = form;
    });
  });
  window.addEventListener("beforeunload", function (event) {
    if (update().length) {
      event.preventDefault();
      event.returnValue = ""; // Chromium asks only when this is set
    }
  });
  update();
}());
