/*
 * Small enhancements for public pages; every page works without this file.
 * [data-print] buttons start hidden and are shown here, since printing needs JavaScript.
 */
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
