/*
 * Small enhancements for public and staff pages; every page works without this file.
 * [data-print] buttons start hidden and are shown here, since printing needs JavaScript.
 * On a phone the menus scroll sideways: the current section's item is brought into view.
 * <form data-confirm="问题"> asks the question before sending the form; "取消" keeps it unsent. Used for
 * actions that cannot be undone (erasing a donor's data, cancelling a volunteer's sign-up). Without
 * JavaScript the form is sent at once, as before; the server checks it (CSRF, POST, role) either way.
 * A link in a form's error summary (.form-summary a[href="#id"]) brings the field with its label into view
 * and puts the cursor in it; without JavaScript the link still jumps to the field.
 */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll(".main-nav .is-current, .sub-nav .is-current").forEach(function (item) {
    var menu = item.closest("ul");
    if (menu && menu.scrollWidth > menu.clientWidth) {
      menu.scrollLeft = item.offsetLeft - (menu.clientWidth - item.offsetWidth) / 2;
    }
  });
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
