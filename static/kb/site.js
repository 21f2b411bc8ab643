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

  // Suggestions under a search box: the ARIA combobox pattern with a listbox. Arrow keys
  // move through them, Enter opens the one chosen (or searches, when none is), Escape
  // closes the list. Without this script the box is a plain search.
  Array.prototype.forEach.call(document.querySelectorAll("input[data-suggest]"), function (input, n) {
    var list = document.createElement("ul");
    var status = document.createElement("span");
    var found = [], active = -1, timer = null, asked = "";
    list.id = "suggestions-" + n;
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions");
    list.hidden = true;
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("autocomplete", "off");
    input.parentNode.classList.add("has-suggestions");
    input.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", status);

    function close() {
      list.hidden = true;
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function choose(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (option, i) {
        option.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index < 0) input.removeAttribute("aria-activedescendant");
      else input.setAttribute("aria-activedescendant", list.children[index].id);
    }

    function show(suggestions) {
      found = suggestions;
      list.textContent = "";
      suggestions.forEach(function (suggestion, i) {
        var option = document.createElement("li");
        var code = document.createElement("code");
        option.id = list.id + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        code.className = "code";
        code.textContent = suggestion.code;
        option.appendChild(code);
        option.appendChild(document.createTextNode(" " + suggestion.title));
        // mousedown, not click: the box keeps the focus, so the list is still there to click.
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
          window.location.href = suggestion.url;
        });
        list.appendChild(option);
      });
      status.textContent = suggestions.length ? suggestions.length + " suggestions; use the arrow keys to choose" : "";
      if (!suggestions.length) return close();
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      choose(-1);
    }

    function ask() {
      var text = input.value.trim();
      if (text === asked) return;
      asked = text;
      if (!text) return show([]);
      fetch(input.getAttribute("data-suggest") + "?q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
        .then(function (data) { if (input.value.trim() === text) show(data.suggestions); })
        .catch(function () { close(); });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 120);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (list.hidden) {
          if (found.length) { list.hidden = false; input.setAttribute("aria-expanded", "true"); }
          else { asked = ""; ask(); }
          event.preventDefault();
          return;
        }
        // Past either end, back to the box itself (-1), as the pattern has it.
        var next = active + (event.key === "ArrowDown" ? 1 : -1);
        if (next >= found.length) next = -1;
        if (next < -1) next = found.length - 1;
        choose(next);
        event.preventDefault();
      } else if (event.key === "Enter" && !list.hidden && active >= 0) {
        event.preventDefault();
        window.location.href = found[active].url;
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", close);
  });
})();
