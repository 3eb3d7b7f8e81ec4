// Forms marked data-once send once: their submit buttons are disabled as the
// form is submitted, so a double click cannot post it twice. The server still
// refuses a repeat; this only spares the member the second request.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (event.defaultPrevented || !(form instanceof HTMLFormElement)) {
    return;
  }
  if (!form.hasAttribute("data-once")) {
    return;
  }
  // Deferred until the browser has collected the fields: a disabled named
  // button would be left out of the request.
  setTimeout(() => {
    for (const control of form.elements) {
      if (control instanceof HTMLButtonElement && control.type === "submit") {
        control.disabled = true;
      }
    }
  });
});

// A page restored by the Back button would keep its buttons disabled.
window.addEventListener("pageshow", (event) => {
  if (!event.persisted) {
    return;
  }
  for (const form of document.querySelectorAll("form[data-once]")) {
    for (const control of form.elements) {
      if (control instanceof HTMLButtonElement) {
        control.disabled = false;
      }
    }
  }
});
