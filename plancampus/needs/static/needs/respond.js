// The questionnaire: tell the respondent whether each answer reached the server.
// (htmx posts each item when it changes; see needs/respond_page.html.)
(function () {
  function status(event) {
    var item = event.detail && event.detail.elt;
    return item ? item.querySelector(".save-status") : null;
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var line = status(event);
    if (line) { line.classList.remove("error"); line.textContent = line.dataset.saving; }
  });
  function failed(event) {
    var line = status(event);
    if (line) { line.classList.add("error"); line.textContent = line.dataset.failed; }
  }
  document.addEventListener("htmx:sendError", failed);
  document.addEventListener("htmx:timeout", failed);
  document.addEventListener("htmx:responseError", function (event) {
    // A 422 carries the reason (e.g. campaign closed): let htmx swap it in.
    if (event.detail.xhr && event.detail.xhr.status === 422) {
      event.detail.shouldSwap = true;
      return;
    }
    failed(event);
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr && event.detail.xhr.status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
