/*
 * Small enhancements for public pages; every page works without this file.
 * [data-print] buttons start hidden and are shown here, since printing needs JavaScript.
 * On a phone the menus scroll sideways: the current section's item is brought into view.
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
})();
