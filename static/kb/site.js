// Small enhancements only: every page works without this file.
(function () {
  "use strict";

  // Hints that only make sense with this script (the "/" key) show once it runs.
  document.documentElement.classList.add("js");

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

  // An error or the results of a form post: move focus there, so it is read out
  // and the keyboard starts from it. Without this script, the #outcome in the
  // form's action scrolls there instead.
  var outcome = document.querySelector("[data-focus-on-load]");
  if (outcome) outcome.focus();

  // "Copy link": a button beside the plain permalink, which stays the fallback.
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var field = document.createElement("textarea");
      field.value = text;
      field.setAttribute("readonly", "");
      field.style.position = "fixed";
      field.style.opacity = "0";
      document.body.appendChild(field);
      field.select();
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (error) { copied = false; }
      document.body.removeChild(field);
      if (copied) resolve(); else reject(new Error("copy refused"));
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("a[data-copy-link]"), function (link) {
    var button = document.createElement("button");
    var status = document.createElement("span");
    var timer;
    button.type = "button";
    button.className = "copy-button";
    button.textContent = "Copy link";
    status.className = "copy-status";
    status.setAttribute("role", "status");
    link.parentNode.insertBefore(button, link);
    link.parentNode.appendChild(status);
    link.parentNode.classList.add("has-copy-button");
    button.addEventListener("click", function () {
      copyText(link.href).then(function () {
        status.textContent = "Link copied";
      }, function () {
        status.textContent = "Copy the link beside this button";
        link.parentNode.classList.remove("has-copy-button");
      });
      clearTimeout(timer);
      timer = setTimeout(function () { status.textContent = ""; }, 4000);
    });
  });
})();
