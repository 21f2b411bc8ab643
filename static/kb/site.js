// Small enhancements only: every page works without this file.
(function () {
  "use strict";

  // "/" focuses the search box, as on documentation sites, unless the user is typing.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
    var box = document.querySelector("[data-focus-key='/']") || document.querySelector("input[type=search]");
    if (!box) return;
    event.preventDefault();
    box.focus();
    box.select();
  });
})();
