// The camp table: after an entry is recorded the phone box is cleared and focused for the
// next donor. A static file, not inline, so the Content-Security-Policy allows no inline script.
document.body.addEventListener("htmx:afterSwap", function (event) {
  if (event.detail.target.id === "table-result" && event.detail.target.querySelector("[data-recorded]")) {
    var box = document.getElementById("id_phone");
    if (box) { box.value = ""; box.focus(); }
  }
});
