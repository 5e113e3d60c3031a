// The script every page of the panel loads: served by the box (the CSP allows no inline code).
"use strict";

function confirmForms() {
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
}

// Every few seconds, the JSON at `url` handed to `apply` (a page kept fresh from the API;
// a failed poll is skipped, the next one tries again). Pages' own scripts use it too.
function pollJson(url, everyMs, apply) {
  const poll = async () => {
    const reply = await fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (reply.ok) apply(await reply.json());
  };
  window.setInterval(() => poll().catch(() => {}), everyMs);
}

// The Extensions table shows whose phone is registered, kept fresh from the API.
function pollRegistrations() {
  const table = document.querySelector("[data-poll]");
  if (!table) return;
  pollJson(table.dataset.poll, 2000, (answer) => {
    for (const extension of answer.extensions) {
      const cell = table.querySelector(`[data-registration="${CSS.escape(extension.number)}"]`);
      if (!cell) continue;
      cell.textContent = extension.registered ? cell.dataset.yes : cell.dataset.no;
      cell.classList.toggle("up", extension.registered);
      cell.title = extension.registrations.map((r) => r.user_agent || r.contact).join(", ");
    }
  });
}

// A map field (IVR keys, trunk DIDs) gets more rows than the blank ones the page brought:
// the button copies a row, emptied. Without JavaScript the button stays hidden.
function addRowButtons() {
  for (const button of document.querySelectorAll("button[data-add-row]")) {
    const table = document.getElementById(button.dataset.addRow);
    if (!table || !table.rows.length) continue;
    button.hidden = false;
    button.addEventListener("click", () => {
      const row = table.rows[table.rows.length - 1].cloneNode(true);
      for (const input of row.querySelectorAll("input")) input.value = "";
      for (const select of row.querySelectorAll("select")) {
        select.id = `${table.id}-${table.rows.length}`;
        select.value = "";
      }
      table.tBodies[0].appendChild(row);
      row.querySelector("input")?.focus();
    });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  confirmForms();
  addRowButtons();
  pollRegistrations();
});
