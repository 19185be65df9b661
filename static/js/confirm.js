// Forms that ask before they act: <form data-confirm="Close the camp?">. Replaces inline
// onsubmit handlers, which the Content-Security-Policy forbids.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (form instanceof HTMLFormElement && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);
