// The camp table: after an entry is recorded the phone box is cleared and focused for the
// next donor. A static file, not inline, so the Content-Security-Policy allows no inline script.
document.body.addEventListener("htmx:afterSwap", function (event) {
  if (event.detail.target.id === "table-result" && event.detail.target.querySelector("[data-recorded]")) {
    var box = document.getElementById("id_phone");
    if (box) { box.value = ""; box.focus(); }
  }
});
// A refused lookup (403: not at an open camp on its day; 429: too many lookups) says why in
// the result panel; htmx would otherwise leave 4xx answers unswapped.
document.body.addEventListener("htmx:beforeSwap", function (event) {
  var status = event.detail.xhr.status;
  if (event.detail.target.id === "table-result" && (status === 403 || status === 429)) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
