/* The project board: drag a card to another stage column (SortableJS). The move posts the card's own stage
   form (projects.change_stage, asking for JSON), so it obeys the same rules; a stage that needs a note asks
   for it first, and a refused or cancelled move puts the card back. Without this file every card still has
   its stage form. No inline script or style: the CSP forbids them. */
(function () {
  "use strict";
  var board = document.getElementById("board");
  if (!board || typeof Sortable === "undefined") { return; }
  var message = document.getElementById("board-message");
  var dialog = document.getElementById("note-dialog");
  var noteForm = document.getElementById("note-form");
  var noteText = document.getElementById("note-dialog-text");
  var heading = document.getElementById("note-dialog-heading");
  var numberFormat = new Intl.NumberFormat(document.documentElement.lang || "ru");
  var pending = null;  // the move waiting for its note

  function show(text, kind) {
    message.textContent = text;
    message.className = "alert alert-" + kind;
  }

  function putBack(move) {
    move.from.insertBefore(move.item, move.from.children[move.oldIndex] || null);
  }

  function count(list, delta) {
    var badge = list.closest(".board-column").querySelector(".board-count");
    var value = parseInt(badge.dataset.count, 10) + delta;
    badge.dataset.count = String(value);
    badge.textContent = numberFormat.format(value);
  }

  function send(move, note) {
    var form = move.item.querySelector("form.board-move-form");
    var data = new FormData(form);
    data.set("stage", move.to.dataset.stage);
    data.set("note", note || "");
    move.item.classList.add("board-saving");
    fetch(form.action, { method: "POST", body: data, credentials: "same-origin",
                         headers: { "Accept": "application/json" } })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (result) {
        move.item.classList.remove("board-saving");
        if (!result.ok) {
          putBack(move);
          show(result.body.message || board.dataset.failed, "danger");
          return;
        }
        var template = document.createElement("template");
        template.innerHTML = result.body.card.trim();
        move.item.replaceWith(template.content.firstElementChild);
        count(move.from, -1);
        count(move.to, 1);
        show(result.body.message, "success");
      })
      .catch(function () {
        move.item.classList.remove("board-saving");
        putBack(move);
        show(board.dataset.failed, "danger");
      });
  }

  function dropped(event) {
    if (event.from === event.to) { return; }
    var move = { item: event.item, from: event.from, to: event.to, oldIndex: event.oldIndex };
    var column = event.to.closest(".board-column");
    if (column.dataset.noteRequired === "1") {
      pending = move;
      heading.textContent = dialog.dataset.question.replace("__stage__", column.dataset.label);
      noteText.value = "";
      dialog.showModal();
      noteText.focus();
    } else {
      send(move, "");
    }
  }

  noteForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var note = noteText.value.trim();
    if (!note) { noteText.value = ""; noteText.reportValidity(); return; }
    var move = pending;
    pending = null;
    dialog.close();
    send(move, note);
  });
  document.getElementById("note-cancel").addEventListener("click", function () { dialog.close(); });
  dialog.addEventListener("close", function () {  // Cancel, or Escape
    if (!pending) { return; }
    putBack(pending);
    pending = null;
    show(board.dataset.cancelled, "secondary");
  });

  board.querySelectorAll(".board-cards").forEach(function (list) {
    Sortable.create(list, {
      group: "board",
      sort: false,
      animation: 150,
      draggable: ".board-card",
      filter: "a, summary, select, input, textarea, button, label",
      preventOnFilter: false,
      ghostClass: "board-ghost",
      onEnd: dropped
    });
  });
})();
