// "Share totals" on the camp table: the phone's share sheet (Web Share API) where the page
// may use it (HTTPS), else copy the text. A camp laptop's plain-HTTP Wi-Fi has neither
// navigator.share nor navigator.clipboard, so copying falls back to selecting the text.
(function () {
  "use strict";

  function panel(el) { return el.closest("[data-share]"); }

  function showNative(root) {
    if (!navigator.share) return;
    root.querySelectorAll("[data-share-native]").forEach(function (b) { b.classList.remove("d-none"); });
  }

  function copy(root) {
    var area = root.querySelector("textarea");
    var status = root.querySelector("[data-share-status]");
    var done = function () { status.textContent = root.dataset.copied; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(area.value).then(done, function () { selectAndCopy(area, done); });
    } else {
      selectAndCopy(area, done);
    }
  }

  function selectAndCopy(area, done) {
    area.focus();
    area.select();
    area.setSelectionRange(0, area.value.length);
    try { document.execCommand("copy"); } catch (e) { /* the text stays selected to copy by hand */ }
    done();
  }

  document.addEventListener("click", function (event) {
    var native = event.target.closest("[data-share-native]");
    var copier = event.target.closest("[data-share-copy]");
    if (native) {
      var root = panel(native);
      navigator.share({ text: root.querySelector("textarea").value }).catch(function () { /* dismissed */ });
    } else if (copier) {
      copy(panel(copier));
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var root = event.detail.target.querySelector("[data-share]");
    if (root) showNative(root);
  });
})();
