/*
 * Live Markdown preview for the staff editors. The page works without it: the
 * "Preview" button submits the form and the server renders the same preview.
 *
 * Contract: <form data-editor-form data-preview-url="..."> containing a
 * <textarea data-markdown-editor> and a [data-preview-panel] with a
 * [data-preview-output] inside. The server's renderer and sanitiser produce the
 * HTML, so what staff see is exactly what the public page will show.
 */
(function () {
  "use strict";

  function debounce(fn, wait) {
    var timer = null;
    return function () {
      clearTimeout(timer);
      timer = setTimeout(fn, wait);
    };
  }

  function setUp(form) {
    var textarea = form.querySelector("textarea[data-markdown-editor]");
    var panel = form.querySelector("[data-preview-panel]");
    var output = form.querySelector("[data-preview-output]");
    var layout = form.querySelector("[data-editor-layout]");
    var tokenInput = form.querySelector("input[name=csrf_token]");
    if (!textarea || !panel || !output || !tokenInput) {
      return;
    }
    var url = form.getAttribute("data-preview-url");

    function refresh() {
      var body = new FormData();
      body.append("body_md", textarea.value);
      body.append("csrf_token", tokenInput.value);
      fetch(url, { method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRFToken": tokenInput.value } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          if (!data || typeof data.html !== "string") {
            return;
          }
          output.innerHTML = data.html;
          panel.hidden = false;
          if (layout) {
            layout.classList.add("has-preview");
          }
        })
        .catch(function () { /* keep the last preview; the Preview button still works */ });
    }

    textarea.addEventListener("input", debounce(refresh, 400));
    if (textarea.value.trim()) {
      refresh();
    }
  }

  document.querySelectorAll("form[data-editor-form]").forEach(setUp);
})();
