// Copy buttons on the API tokens page. Without JavaScript the buttons stay hidden and the
// read-only fields can still be selected and copied by hand (no inline script: strict CSP).
(function () {
  "use strict";
  function copy(button) {
    var source = document.querySelector(button.getAttribute("data-copy"));
    if (!source) { return; }
    var text = source.value !== undefined ? source.value : source.textContent;
    var done = function () {
      var label = button.textContent;
      button.textContent = button.getAttribute("data-copied-label") || label;
      window.setTimeout(function () { button.textContent = label; }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done);
    } else if (source.select) {
      source.select();
      document.execCommand("copy");
      done();
    }
  }
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { copy(button); });
  });
  var field = document.getElementById("new-token");
  if (field) {
    field.addEventListener("focus", function () { field.select(); });
  }
})();
