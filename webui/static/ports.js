// The Analog ports page: each port's state, loop voltage and current kept fresh from the API.
"use strict";

// pollJson is panel.js's (loaded first by every page of the panel).
function pollPorts() {
  const table = document.querySelector("[data-ports]");
  if (!table) return;
  pollJson(table.dataset.ports, 2000, (answer) => {
    for (const port of answer.ports) {
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
  });
}

document.addEventListener("DOMContentLoaded", pollPorts);
