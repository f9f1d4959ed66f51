/*
 * Formatting buttons above the Markdown textareas of the staff editors, and a filter box for long
 * checkbox lists. No libraries, no inline code (CSP script-src 'self').
 *
 * Contract (data-* attributes, rendered by templates/admin/content/_editor_parts.html and macros/forms.html):
 *   <div data-md-toolbar="NAME" hidden>   buttons for <textarea name="NAME">; this script shows it.
 *   <button type="button" data-md="bold|heading|list|link|image|table|quote" data-sample="示例文字">
 *       bold and link wrap the selection (or insert the sample, selected, to type over);
 *       heading, list and quote mark each selected line; table inserts a two-column table;
 *       image opens and moves to the page's image panel ([data-target="NAME"]) or, without one, inserts ![sample](地址).
 *   Ctrl+B (bold) and Ctrl+K (link) work inside the textarea.
 *   [data-checklist][data-filter-label="..."]   a long checkbox list: a text box above it hides the
 *       choices whose label does not contain the words typed; ticked choices always stay visible.
 * Without JavaScript the toolbar stays hidden and the textarea and the checkbox list work as they are.
 * After a change the textarea receives an "input" event, so the live preview updates.
 */
(function () {
  "use strict";

  function replaceRange(textarea, start, end, text, selectFrom, selectTo) {
    textarea.focus();
    textarea.setSelectionRange(start, end);
    // execCommand keeps the browser's undo history (Ctrl+Z); setRangeText is the fallback.
    var done = false;
    try {
      done = document.execCommand && document.execCommand("insertText", false, text);
    } catch (error) {
      done = false;
    }
    if (!done || textarea.value.slice(start, start + text.length) !== text) {
      textarea.setRangeText(text, start, end, "end");
    }
    textarea.setSelectionRange(selectFrom, selectTo);
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function wrap(textarea, before, after, sample) {
    var start = textarea.selectionStart;
    var end = textarea.selectionEnd;
    var chosen = textarea.value.slice(start, end) || sample;
    var text = before + chosen + after;
    replaceRange(textarea, start, end, text, start + before.length, start + before.length + chosen.length);
  }

  function markLines(textarea, prefix, sample) {
    var value = textarea.value;
    var start = value.lastIndexOf("\n", textarea.selectionStart - 1) + 1;
    var end = textarea.selectionEnd;
    var lineEnd = value.indexOf("\n", end);
    end = lineEnd === -1 ? value.length : lineEnd;
    var lines = value.slice(start, end).split("\n");
    var numbered = prefix === "1. ";
    var text = lines.map(function (line, index) {
      var mark = numbered ? (index + 1) + ". " : prefix;
      return mark + (line || (lines.length === 1 ? sample : ""));
    }).join("\n");
    replaceRange(textarea, start, end, text, start, start + text.length);
  }

  function insertBlock(textarea, block) {
    var value = textarea.value;
    var start = textarea.selectionStart;
    var end = textarea.selectionEnd;
    var before = value.slice(0, start);
    var lead = !before || /\n\n$/.test(before) ? "" : (/\n$/.test(before) ? "\n" : "\n\n");
    var text = lead + block + "\n";
    replaceRange(textarea, start, end, text, start + text.length, start + text.length);
  }

  var actions = {
    bold: function (textarea, sample) { wrap(textarea, "**", "**", sample); },
    heading: function (textarea, sample) { markLines(textarea, "## ", sample); },
    list: function (textarea, sample) { markLines(textarea, "- ", sample); },
    quote: function (textarea, sample) { markLines(textarea, "> ", sample); },
    link: function (textarea, sample) {
      var start = textarea.selectionStart;
      var chosen = textarea.value.slice(start, textarea.selectionEnd) || sample;
      var text = "[" + chosen + "](https://)";
      var urlStart = start + chosen.length + 3;
      replaceRange(textarea, start, textarea.selectionEnd, text, urlStart, urlStart + 8);
    },
    table: function (textarea, sample) {
      var column = sample || "列";
      insertBlock(textarea, "| " + column + "1 | " + column + "2 |\n|---|---|\n|  |  |");
    },
    image: function (textarea, sample, button) {
      var panel = document.querySelector('.image-picker-panel[data-target="' + textarea.name + '"]');
      if (panel) {
        // The panel may be a closed fold (<details>): open it, then move to it (its summary takes the focus).
        var summary = panel.tagName === "DETAILS" ? panel.querySelector("summary") : null;
        if (summary) {
          panel.open = true;
        }
        var heading = summary || panel.querySelector("h2, h3") || panel;
        if (!summary) {
          heading.setAttribute("tabindex", "-1");
        }
        panel.scrollIntoView({ block: "start" });
        heading.focus();
        return;
      }
      wrap(textarea, "![", "](/uploads/)", sample || button.textContent.trim());
    }
  };

  function setUpToolbar(toolbar) {
    var name = toolbar.getAttribute("data-md-toolbar");
    var textarea = null;
    document.getElementsByName(name).forEach(function (element) {
      if (element.tagName === "TEXTAREA" && !textarea) {
        textarea = element;
      }
    });
    if (!textarea || typeof textarea.setRangeText !== "function") {
      return;
    }
    var buttons = Array.prototype.slice.call(toolbar.querySelectorAll("button[data-md]"));
    buttons.forEach(function (button) {
      button.addEventListener("click", function () {
        var action = actions[button.getAttribute("data-md")];
        if (action) {
          action(textarea, button.getAttribute("data-sample") || "", button);
        }
      });
    });
    // Arrow keys move along the toolbar as well; Tab reaches every button.
    toolbar.addEventListener("keydown", function (event) {
      var index = buttons.indexOf(document.activeElement);
      if (index === -1 || (event.key !== "ArrowRight" && event.key !== "ArrowLeft")) {
        return;
      }
      event.preventDefault();
      var next = (index + (event.key === "ArrowRight" ? 1 : buttons.length - 1)) % buttons.length;
      buttons[next].focus();
    });
    textarea.addEventListener("keydown", function (event) {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) {
        return;
      }
      var key = event.key.toLowerCase();
      var kind = key === "b" ? "bold" : (key === "k" ? "link" : null);
      var button = kind && toolbar.querySelector('button[data-md="' + kind + '"]');
      if (button) {
        event.preventDefault();
        button.click();
        textarea.focus();
      }
    });
    toolbar.hidden = false;
  }

  function setUpChecklist(list) {
    var choices = Array.prototype.slice.call(list.querySelectorAll(".choice"));
    var box = document.createElement("input");
    box.type = "search";
    box.className = "input checklist-filter";
    box.setAttribute("aria-label", list.getAttribute("data-filter-label") || "");
    box.placeholder = list.getAttribute("data-filter-label") || "";
    box.addEventListener("input", function () {
      var words = box.value.trim().toLowerCase();
      choices.forEach(function (choice) {
        var input = choice.querySelector("input");
        var matches = !words || choice.textContent.toLowerCase().indexOf(words) !== -1;
        choice.hidden = !(matches || (input && input.checked));
      });
    });
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault(); // filtering, not sending the form
      }
    });
    list.parentNode.insertBefore(box, list);
  }

  document.querySelectorAll("[data-md-toolbar]").forEach(setUpToolbar);
  document.querySelectorAll("[data-checklist]").forEach(setUpChecklist);
})();
