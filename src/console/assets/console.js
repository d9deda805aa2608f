// echo-gateway console: live updates of lists. A table body with data-src is reloaded from
// that URL (a fragment of rows) every few seconds while the page is open.
"use strict";
(function () {
  const INTERVAL_MS = 2000;
  function refresh(body) {
    fetch(body.dataset.src, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (rows) { if (rows !== null && rows !== body.innerHTML) { body.innerHTML = rows; } })
      .catch(function () { /* the next tick tries again */ });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("tbody[data-src]").forEach(function (body) {
      setInterval(function () { refresh(body); }, INTERVAL_MS);
    });
  });
})();
// A file chosen in an <input type=file data-into=ID> is loaded into the textarea ID, so a form
// can be uploaded from disk and still be checked before it is saved.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("input[type=file][data-into]").forEach(function (input) {
    input.addEventListener("change", function () {
      const file = input.files && input.files[0];
      const target = document.getElementById(input.dataset.into);
      if (file && target) { file.text().then(function (text) { target.value = text; }); }
    });
  });
});
// The form preview: NASA's @edsc/echoforms component (window.EchoForms, vendored bundle)
// renders the form; every model update is written into the selection field the gateway
// validates.
window.addEventListener("load", function () {
  const preview = document.getElementById("echoform-preview");
  const selection = document.getElementById("selection");
  if (!preview || !selection || !window.EchoForms) { return; }
  window.EchoForms.mount(preview, preview.dataset.form, function (update) {
    const model = update && (update.model || update.rawModel);
    if (typeof model === "string") { selection.value = model; }
  }, function () {});
});
