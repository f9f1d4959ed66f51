/*
 * Small enhancements for public and staff pages; every page works without this file.
 * [data-print] buttons start hidden and are shown here, since printing needs JavaScript (not in WeChat, which
 * cannot print). In WeChat [data-wechat-only] notes are shown and [data-wechat-hide] elements hidden.
 * On a phone the main menu scrolls sideways: the current section's item is brought into view, the row starting
 * with a whole item, and the menu fades at its left edge once scrolled.
 * <details data-unfold-on-wide> (the ledger's filters) starts folded on a phone and is unfolded on wider screens.
 * <form data-confirm="问题"> asks the question before sending the form; "取消" keeps it unsent. Used for
 * actions that cannot be undone (erasing a donor's data, cancelling a volunteer's sign-up). Without
 * JavaScript the form is sent at once, as before; the server checks it (CSRF, POST, role) either way.
 * A link in a form's error summary (.form-summary a[href="#id"]) brings the field with its label into view
 * and puts the cursor in it; without JavaScript the link still jumps to the field.
 */
(function () {
  "use strict";
  // WeChat's own browser cannot download files, add to a calendar or print; there the notes that say what to
  // do instead are shown, and the buttons that would do nothing stay hidden. Telling it by the user agent here,
  // not on the server, keeps a cached page the same for every visitor.
  var inWeChat = /MicroMessenger/i.test(navigator.userAgent);
  if (inWeChat) {
    document.querySelectorAll("[data-wechat-only]").forEach(function (note) { note.hidden = false; });
    document.querySelectorAll("[data-wechat-hide]").forEach(function (element) { element.hidden = true; });
  } else {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }
  document.querySelectorAll(".main-nav ul").forEach(function (menu) {
    if (menu.scrollWidth <= menu.clientWidth) { return; }
    var current = menu.querySelector(".is-current");
    var rem = parseFloat(getComputedStyle(document.documentElement).fontSize);
    var origin = menu.getBoundingClientRect().left;
    var placeOf = function (link) { var box = link.getBoundingClientRect(); return { left: box.left - origin, right: box.right - origin }; };
    if (current) {
      // Scroll as little as shows the current item clear of the right fade (2.5rem), then on to the next whole
      // item, whose words then start just after the left fade (1.25rem): the row never begins with half a word.
      var needed = placeOf(current).right + 2.5 * rem - menu.clientWidth;
      var links = menu.querySelectorAll("a");
      var scroll = 0;
      for (var index = 0; needed > 0 && index < links.length; index += 1) {
        var textStart = placeOf(links[index]).left + parseFloat(getComputedStyle(links[index]).paddingLeft);
        if (textStart - 1.25 * rem >= needed) { scroll = textStart - 1.25 * rem; break; }
      }
      // Near the end the row cannot scroll that far: more end padding lets it, so it still begins with a whole item.
      var reach = menu.scrollWidth - menu.clientWidth;
      if (scroll > reach) {
        menu.style.paddingRight = parseFloat(getComputedStyle(menu).paddingRight) + scroll - reach + "px";
      }
      menu.scrollLeft = scroll;
    }
    var mark = function () { menu.classList.toggle("is-scrolled", menu.scrollLeft > 1); };
    mark();
    menu.addEventListener("scroll", mark, { passive: true });
  });
  if (window.matchMedia("(min-width: 40rem)").matches) {
    document.querySelectorAll("details[data-unfold-on-wide]").forEach(function (fold) { fold.open = true; });
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute ? form.getAttribute("data-confirm") : null;
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(".form-summary a[href^='#']") : null;
    var target = link ? document.getElementById(link.getAttribute("href").slice(1)) : null;
    if (!target || typeof target.focus !== "function") {
      return;
    }
    event.preventDefault();
    (target.closest(".field, fieldset") || target).scrollIntoView({ block: "start" });
    target.focus({ preventScroll: true });
  });
})();
