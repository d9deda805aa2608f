// echo-gateway console: live updates of lists. A table body with data-events receives its rows
// from that server-sent events URL (a "rows" event when the stream opens and whenever they
// change); the browser's EventSource reconnects by itself if the stream drops.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("tbody[data-events]").forEach(function (body) {
    const source = new EventSource(body.dataset.events);
    source.addEventListener("open", function () { body.dataset.live = "open"; });
    source.addEventListener("error", function () { body.dataset.live = "reconnecting"; });
    source.addEventListener("rows", function (event) {
      if (event.data !== body.innerHTML) { body.innerHTML = event.data; }
    });
  });
});
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
  // The component labels a control with <label for=ID>, and a control the form gave no id
  // (say an input in a group) gets none, so it has no accessible name. Each such control is
  // named by its label text, which the component also puts in its name attribute, after
  // every render (only added elements are observed, so naming them does not loop).
  new MutationObserver(function () { nameUnlabelled(preview); })
    .observe(preview, { childList: true, subtree: true });
  window.EchoForms.mount(preview, preview.dataset.form, function (update) {
    const model = update && (update.model || update.rawModel);
    if (typeof model === "string") { selection.value = model; }
  }, function () {});
});
function nameUnlabelled(root) {
  root.querySelectorAll("input, select, textarea").forEach(function (control) {
    const named = (control.labels && control.labels.length > 0)
      || control.hasAttribute("aria-label") || control.hasAttribute("aria-labelledby");
    const text = control.getAttribute("name") || control.getAttribute("placeholder");
    if (!named && text) { control.setAttribute("aria-label", text); }
  });
}
