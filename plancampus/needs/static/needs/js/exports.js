// A document watched on its page until it is ready downloads by itself: the status fragment
// that htmx swaps in when the job ends carries data-auto-download (no inline script: CSP).
document.addEventListener("htmx:afterSettle", function () {
  var link = document.querySelector("a[data-auto-download]");
  if (link && !link.hasAttribute("data-downloaded")) {
    link.setAttribute("data-downloaded", "");
    link.click();
  }
});
