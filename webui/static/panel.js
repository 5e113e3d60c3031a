// The panel's only script: served by the box (the CSP allows no inline code).
"use strict";

function confirmForms() {
  for (const form of document.querySelectorAll("form[data-confirm]")) {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  }
}

// The Extensions table shows whose phone is registered, kept fresh from the API.
function pollRegistrations() {
  const table = document.querySelector("[data-poll]");
  if (!table) return;
  const poll = async () => {
    const reply = await fetch(table.dataset.poll, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (!reply.ok) return;
    for (const extension of (await reply.json()).extensions) {
      const cell = table.querySelector(`[data-registration="${CSS.escape(extension.number)}"]`);
      if (!cell) continue;
      cell.textContent = extension.registered ? cell.dataset.yes : cell.dataset.no;
      cell.classList.toggle("up", extension.registered);
      cell.title = extension.registrations.map((r) => r.user_agent || r.contact).join(", ");
    }
  };
  window.setInterval(() => poll().catch(() => {}), 2000);
}

document.addEventListener("DOMContentLoaded", () => {
  confirmForms();
  pollRegistrations();
});
