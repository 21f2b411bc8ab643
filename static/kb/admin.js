// The admin's small helpers: text areas that grow with their text, items ordered with the
// keyboard (django-admin-sortable2 orders them by dragging), and the summary's live preview.
// Every form works without this file: the positions are then the saved order.
(function () {
  "use strict";

  function grow(area) {
    area.style.height = "auto";
    area.style.height = area.scrollHeight + 2 + "px";
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches("textarea.kb-grow")) grow(event.target);
  });

  // The order sortable2 saves: 1, 2, 3… over the saved rows, as its own drag does.
  function renumber(body) {
    body.querySelectorAll("tr.has_original").forEach(function (row, index) {
      var input = row.querySelector("input._reorder_");
      if (input) input.value = String(index + 1);
    });
  }

  function announce(text) {
    var status = document.getElementById("kb-order-status");
    if (status) status.textContent = text;
  }

  function move(handle, direction) {
    var row = handle.closest("tr.has_original");
    var rows = Array.prototype.slice.call(row.parentNode.querySelectorAll("tr.has_original"));
    var at = rows.indexOf(row), to = at + direction;
    if (to < 0 || to >= rows.length) return;
    if (direction < 0) rows[to].before(row); else rows[to].after(row);
    renumber(row.parentNode);
    handle.focus();
    announce("Moved to position " + (to + 1) + " of " + rows.length + ".");
  }

  function init() {
    var status = document.createElement("p");
    status.id = "kb-order-status";
    status.className = "visually-hidden";
    status.setAttribute("aria-live", "polite");
    document.body.appendChild(status);
    document.querySelectorAll("textarea.kb-grow").forEach(grow);
    document.querySelectorAll("fieldset.sortable tr.has_original td.original p").forEach(function (handle) {
      handle.tabIndex = 0;
      handle.setAttribute("role", "button");
      handle.setAttribute("aria-label", "Move " + handle.textContent.trim() + ": press the up or down arrow key");
      handle.addEventListener("keydown", function (event) {
        if (event.key === "ArrowUp" || event.key === "ArrowDown") {
          event.preventDefault();
          move(handle, event.key === "ArrowUp" ? -1 : 1);
        }
      });
    });
    livePreview(document.querySelector("textarea[data-markdown-url]"));
  }

  function livePreview(area) {
    if (!area || !window.fetch) return;
    var box = document.createElement("div");
    box.className = "kb-markdown-preview";
    box.setAttribute("aria-live", "polite");
    box.setAttribute("aria-label", "Preview of the summary");
    area.after(box);
    var token = area.form.querySelector("input[name=csrfmiddlewaretoken]").value, timer = null;
    function update() {
      var body = new URLSearchParams({ text: area.value });
      fetch(area.dataset.markdownUrl, { method: "POST", body: body, headers: { "X-CSRFToken": token }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) { if (data) box.innerHTML = data.html; });  // sanitised by kb.markup
    }
    area.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(update, 300); });
    update();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
