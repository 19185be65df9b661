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
// A tap on a form htmx has not processed yet (in the moment after a new card is swapped in,
// before htmx settles it) would post natively and leave the page. Hand it to htmx once: the
// button is clicked again so htmx sends its name and value (outcome=collected). Without htmx
// the post goes through natively, and the server answers the whole table page.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (event.defaultPrevented || !window.htmx || form.dataset.htmxHanded) return;
  if (!form.matches("#main form[hx-post], #main form[hx-get]")) return;
  event.preventDefault();
  form.dataset.htmxHanded = "1";
  window.htmx.process(form);
  if (event.submitter) { event.submitter.click(); } else { form.requestSubmit(); }
});
