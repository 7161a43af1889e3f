// Small behaviours that would otherwise need inline scripts (forbidden by the CSP).
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target.matches && target.matches("select[data-autosubmit]")) {
    target.form.requestSubmit ? target.form.requestSubmit() : target.form.submit();
  }
});
