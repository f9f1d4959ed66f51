/*
 * Image picker and in-page upload for Markdown editors. No libraries, no inline code (CSP).
 * Load it once per page:  <script src="{{ asset_url('js/image-picker.js') }}" defer></script>
 * Without this script everything still works: the Markdown code is shown to copy, and the
 * upload form posts normally (to its action, in a new tab).
 *
 * Contract (data-* attributes):
 *   <form data-upload-api="URL" data-target="NAME">
 *       An upload form (multipart). On submit it is posted to URL with fetch: the form's
 *       FormData plus the header X-CSRFToken (the value of its input whose name ends in
 *       "csrf_token"). URL answers JSON: {"markdown", "url", "thumbnail_url", "width",
 *       "height", "title"} on success, {"error": "中文消息"} with status 400/413 otherwise.
 *       The markdown is inserted at the cursor of <textarea name="NAME">.
 *       Optional: data-msg-uploading, data-msg-done, data-msg-failed (messages to show).
 *       Its controls may sit elsewhere on the page, tied to it by their form="ID" attribute (forms
 *       cannot nest, so the picker inside an editor form works this way).
 *       Optional: data-msg-inserted, the label of the "插入" button of the picture just uploaded.
 *   [data-upload-status] or [data-upload-status="ID"]   receives progress and error messages.
 *   [data-target="NAME"]   any element (e.g. the picker panel): buttons inside it with
 *       [data-markdown="TEXT"] insert TEXT at the cursor of <textarea name="NAME">.
 *   [data-markdown]        such a button; it may start `hidden`: this script shows it.
 *   [data-picker-list][data-src="URL"]   reloaded from URL (an HTML fragment of picker
 *       items) after a successful upload.
 *   [data-cover-options="NAME"]   radio buttons of the cover picker: an uploaded picture is added to them.
 *   <details class="image-picker-panel">   the panel, sent closed (on a phone its pictures would push the
 *       save button far down); opened here on a screen at least 40rem wide, where it takes little room.
 * An uploaded picture is inserted once: its "插入" button in the reloaded list is disabled and says so.
 * After an insertion the textarea receives an "input" event, so live previews update.
 */
(function () {
  "use strict";

  if (window.imagePickerLoaded) {
    return;
  }
  window.imagePickerLoaded = true;

  function findTextarea(name) {
    if (!name) {
      return null;
    }
    var candidates = document.getElementsByName(name);
    for (var i = 0; i < candidates.length; i += 1) {
      if (candidates[i].tagName === "TEXTAREA") {
        return candidates[i];
      }
    }
    return null;
  }

  function separator(text, atEnd) {
    if (!text) {
      return "";
    }
    var edge = atEnd ? text.slice(-2) : text.slice(0, 2);
    if (edge === "\n\n") {
      return "";
    }
    return (atEnd ? edge.slice(-1) : edge.charAt(0)) === "\n" ? "\n" : "\n\n";
  }

  function insertAtCursor(textarea, snippet) {
    var value = textarea.value;
    var start = typeof textarea.selectionStart === "number" ? textarea.selectionStart : value.length;
    var end = typeof textarea.selectionEnd === "number" ? textarea.selectionEnd : start;
    var before = value.slice(0, start);
    var after = value.slice(end);
    var text = separator(before, true) + snippet + separator(after, false);
    textarea.focus();
    if (typeof textarea.setRangeText === "function") {
      textarea.setRangeText(text, start, end, "end");
    } else {
      textarea.value = before + text + after;
      textarea.selectionStart = textarea.selectionEnd = before.length + text.length;
    }
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function targetOf(element) {
    var holder = element.closest ? element.closest("[data-target]") : null;
    return findTextarea(holder && holder.getAttribute("data-target"));
  }

  function showButtons(root) {
    var buttons = root.querySelectorAll("[data-markdown][hidden]");
    for (var i = 0; i < buttons.length; i += 1) {
      if (targetOf(buttons[i])) {
        buttons[i].hidden = false;
      }
    }
  }

  function controlOf(form, test) {
    return Array.prototype.filter.call(form.elements, test)[0] || null;
  }

  function setStatus(form, message, isError) {
    var status = form.querySelector("[data-upload-status]") ||
      (form.id ? document.querySelector('[data-upload-status="' + form.id + '"]') : null);
    if (!status) {
      return;
    }
    status.textContent = message || "";
    status.classList.toggle("is-error", Boolean(isError));
  }

  function markInserted(list, markdown, label) {
    var buttons = list.querySelectorAll("[data-markdown]");
    for (var i = 0; i < buttons.length; i += 1) {
      if (buttons[i].getAttribute("data-markdown") === markdown) {
        buttons[i].disabled = true;
        buttons[i].textContent = label;
      }
    }
  }

  function addCoverChoice(data) {
    var groups = document.querySelectorAll("[data-cover-options]");
    Array.prototype.forEach.call(groups, function (group) {
      var label = document.createElement("label");
      label.className = "cover-option";
      var input = document.createElement("input");
      input.type = "radio";
      input.name = group.getAttribute("data-cover-options");
      input.value = data.url;
      var image = document.createElement("img");
      image.src = data.thumbnail_url || data.url;
      image.alt = "";
      if (data.thumbnail_width && data.thumbnail_height) {
        image.width = data.thumbnail_width;
        image.height = data.thumbnail_height;
      }
      var title = document.createElement("span");
      title.textContent = data.title || "";
      label.appendChild(input);
      label.appendChild(document.createTextNode(" "));
      label.appendChild(image);
      label.appendChild(document.createTextNode(" "));
      label.appendChild(title);
      var none = group.querySelector(".cover-option-none");
      group.insertBefore(label, none ? none.nextSibling : group.firstChild);
    });
  }

  function reloadLists(inserted, insertedLabel) {
    var lists = document.querySelectorAll("[data-picker-list][data-src]");
    Array.prototype.forEach.call(lists, function (list) {
      fetch(list.getAttribute("data-src"), { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (response) {
          return response.ok ? response.text() : null;
        })
        .then(function (html) {
          if (html !== null) {
            list.innerHTML = html;
            showButtons(list);
            if (inserted) {
              markInserted(list, inserted, insertedLabel);
            }
          }
        })
        .catch(function () {});
    });
  }

  function upload(form) {
    var token = controlOf(form, function (element) { return /csrf_token$/.test(element.name || ""); });
    var submit = controlOf(form, function (element) { return element.type === "submit"; });
    var failed = form.getAttribute("data-msg-failed") || "Upload failed.";
    if (submit) {
      submit.disabled = true;
    }
    setStatus(form, form.getAttribute("data-msg-uploading") || "", false);
    fetch(form.getAttribute("data-upload-api"), {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "", Accept: "application/json" }
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) {
          throw new Error("not json");
        }
        return response.json().then(function (data) {
          return { ok: response.ok, data: data };
        });
      })
      .then(function (result) {
        if (!result.ok || result.data.error || !result.data.markdown) {
          setStatus(form, result.data.error || failed, true);
          return;
        }
        var textarea = findTextarea(form.getAttribute("data-target"));
        if (textarea) {
          insertAtCursor(textarea, result.data.markdown);
        }
        form.reset();
        setStatus(form, form.getAttribute("data-msg-done") || "", false);
        addCoverChoice(result.data);
        reloadLists(textarea ? result.data.markdown : null, form.getAttribute("data-msg-inserted") || "✓");
      })
      .catch(function () {
        setStatus(form, failed, true);
      })
      .then(function () {
        if (submit) {
          submit.disabled = false;
        }
      });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-upload-api]") || !window.fetch || !window.FormData) {
      return;
    }
    event.preventDefault();
    upload(form);
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-markdown]") : null;
    if (!button) {
      return;
    }
    var textarea = targetOf(button);
    if (!textarea) {
      return;
    }
    event.preventDefault();
    insertAtCursor(textarea, button.getAttribute("data-markdown"));
  });

  function openOnWideScreens() {
    if (!window.matchMedia || !window.matchMedia("(min-width: 40rem)").matches) {
      return;
    }
    var panels = document.querySelectorAll("details.image-picker-panel");
    for (var i = 0; i < panels.length; i += 1) {
      panels[i].open = true;
    }
  }

  function start() {
    showButtons(document);
    openOnWideScreens();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
