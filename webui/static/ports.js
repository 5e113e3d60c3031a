// The Analog ports page: each port's state, loop voltage and current kept fresh from the API.
"use strict";

function pollPorts() {
  const table = document.querySelector("[data-ports]");
  if (!table) return;
  const poll = async () => {
    const reply = await fetch(table.dataset.ports, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (!reply.ok) return;
    for (const port of (await reply.json()).ports) {
      const row = table.querySelector(`[data-port="${CSS.escape(port.name)}"]`);
      if (!row) continue;
      for (const cell of row.querySelectorAll("[data-field]")) {
        const value = port[cell.dataset.field];
        if (cell.dataset.field === "state") {
          // The page carries each state's translation: data-state-off-hook="...".
          const key = `state-${value}`.replace(/-(\w)/g, (_, c) => c.toUpperCase());
          cell.className = `state ${value}`;
          cell.textContent = table.dataset[key] || value;
        } else {
          cell.textContent = String(value);
        }
      }
    }
  };
  window.setInterval(() => poll().catch(() => {}), 2000);
}

document.addEventListener("DOMContentLoaded", pollPorts);
