// The live views: the dashboard refreshed from /api/dashboard, the wallboard pushed over
// /ws/wallboard. Served by the box (the CSP allows no inline code); text only, never HTML.
"use strict";

function wordsOf(root) {
  try {
    return JSON.parse(root.dataset.strings || "{}");
  } catch (_) {
    return {};
  }
}

function valueAt(data, path) {
  return path.split(".").reduce((value, key) => (value == null ? value : value[key]), data);
}

function say(words, value) {
  if (value == null) return "";
  return Object.prototype.hasOwnProperty.call(words, value) ? words[value] : String(value);
}

// --- the dashboard ------------------------------------------------------------------

function rowsOf(value) {
  if (Array.isArray(value)) return value;
  if (value && typeof value === "object") {
    return Object.entries(value).map(([kind, count]) => ({ kind, count }));
  }
  return [];
}

function fillTable(table, rows, words) {
  const keys = [...table.querySelectorAll("th[data-key]")].map((th) => th.dataset.key);
  const body = table.tBodies[0];
  const fresh = document.createElement("tbody");
  for (const row of rows) {
    const tr = fresh.insertRow();
    for (const key of keys) {
      const td = tr.insertCell();
      td.textContent = say(words, row[key]);
      if (key === "state" || key === "registration") td.className = `state-${row[key]}`;
    }
  }
  if (!rows.length) {
    const td = fresh.insertRow().insertCell();
    td.colSpan = keys.length;
    td.textContent = table.dataset.empty || "";
  }
  body.replaceWith(fresh);
}

function fillList(list, items, words) {
  list.replaceChildren();
  for (const item of items) {
    const li = document.createElement("li");
    li.textContent =
      typeof item === "object" ? `${say(words, item.kind)} · ${item.subject}: ${item.detail}` : item;
    if (typeof item === "object") li.className = "alarm";
    list.append(li);
  }
  if (!items.length) {
    const li = document.createElement("li");
    li.className = "quiet";
    li.textContent = list.dataset.empty || "";
    list.append(li);
  }
}

function showDashboard(root, board, words) {
  for (const field of root.querySelectorAll("[data-field]")) {
    const value = valueAt(board, field.dataset.field);
    field.textContent = value == null ? say(words, "not available") : say(words, value) + (field.dataset.unit || "");
    if (field.dataset.field === "engine" || field.dataset.field === "edge") field.className = `state-${value}`;
  }
  for (const table of root.querySelectorAll("table[data-live]")) {
    fillTable(table, rowsOf(valueAt(board, table.dataset.live)), words);
  }
  for (const list of root.querySelectorAll("[data-live-list]")) {
    fillList(list, valueAt(board, list.dataset.liveList) || [], words);
  }
}

function pollDashboard() {
  const root = document.getElementById("dashboard");
  if (!root) return;
  const words = wordsOf(root);
  const poll = async () => {
    const reply = await fetch(root.dataset.source, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    });
    if (reply.ok) showDashboard(root, await reply.json(), words);
  };
  window.setInterval(() => poll().catch(() => {}), 3000);
}

// --- the wallboard ------------------------------------------------------------------

function waitClock(seconds) {
  const whole = Math.max(0, Math.floor(seconds));
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}

// Agents in any of the states named (space-separated): a wall column may hold several.
function countOf(agents, states) {
  return states.split(" ").reduce((sum, state) => sum + (agents[state] || 0), 0);
}

function queueCard(root, name) {
  const holder = root.querySelector("#wall-queues");
  for (const card of holder.querySelectorAll("[data-queue]")) {
    if (card.dataset.queue === name) return card;
  }
  const card = root.querySelector("#wall-queue-template").content.firstElementChild.cloneNode(true);
  card.dataset.queue = name;
  card.querySelector("h2").textContent = name;
  holder.append(card);
  return card;
}

function showWallboard(root, board) {
  const seen = new Set();
  for (const queue of board.queues) {
    seen.add(queue.queue);
    const card = queueCard(root, queue.queue);
    card.querySelector('[data-field="waiting"]').textContent = queue.waiting;
    const clock = card.querySelector('[data-field="longest_wait_s"]');
    clock.dataset.clock = queue.longest_wait_s;
    clock.dataset.since = String(Date.now());
    clock.dataset.running = queue.waiting > 0 ? "yes" : "no";
    clock.textContent = waitClock(queue.longest_wait_s);
    const level = queue.service_level_today;
    card.querySelector('[data-field="service_level_today"]').textContent =
      level == null ? "-" : `${Math.round(level * 100)} %`;
    for (const cell of card.querySelectorAll("[data-agents]")) {
      cell.textContent = countOf(queue.agents, cell.dataset.agents);
    }
    card.classList.toggle("busy", queue.waiting > 0);
  }
  for (const card of root.querySelectorAll("#wall-queues [data-queue]")) {
    if (!seen.has(card.dataset.queue)) card.remove();
  }
  const none = root.querySelector("#wall-none");
  if (none) none.hidden = board.queues.length > 0;
  for (const total of root.querySelectorAll("[data-total]")) {
    total.textContent = countOf(board.agents, total.dataset.total);
  }
}

// Between pushes the waiting clocks run on here, so they tick every second.
function tickClocks(root) {
  for (const clock of root.querySelectorAll('[data-field="longest_wait_s"]')) {
    if (clock.dataset.running !== "yes") continue;
    const base = Number(clock.dataset.clock || 0);
    clock.textContent = waitClock(base + (Date.now() - Number(clock.dataset.since)) / 1000);
  }
}

function connectWallboard() {
  const root = document.getElementById("wallboard");
  if (!root) return;
  const status = root.querySelector("#wall-status");
  let delayMs = 1000;
  const open = () => {
    const socket = new WebSocket(`wss://${window.location.host}${root.dataset.socket}`);
    socket.addEventListener("open", () => {
      delayMs = 1000;
    });
    socket.addEventListener("message", (event) => {
      showWallboard(root, JSON.parse(event.data));
      root.dataset.connected = "yes";
      status.textContent = status.dataset.liveText;
      status.classList.remove("lost");
    });
    socket.addEventListener("close", (event) => {
      if (event.code === 4001) {
        window.location.reload(); // signed out: the page itself leads to the log-in page
        return;
      }
      root.dataset.connected = "no";
      status.textContent = status.dataset.lostText;
      status.classList.add("lost");
      window.setTimeout(open, delayMs);
      delayMs = Math.min(delayMs * 2, 30000);
    });
  };
  open();
  window.setInterval(() => tickClocks(root), 1000);
}

// --- the Queues page and an agent's own page: states kept fresh from the API ------

async function getJson(url) {
  const reply = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  return reply.ok ? reply.json() : null;
}

function showState(cell, state, words) {
  cell.textContent = say(words, state);
  cell.className = `state-${state}`;
  cell.dataset.state = state;
}

function pollQueues() {
  const queues = document.getElementById("queues");
  const agents = document.getElementById("agents");
  if (!queues || !queues.dataset.liveSource) return;
  const words = wordsOf(queues);
  const poll = async () => {
    const listed = await getJson(queues.dataset.liveSource);
    for (const queue of listed ? listed.queues : []) {
      const row = queues.querySelector(`tr[data-queue="${CSS.escape(queue.name)}"]`);
      if (!row || !queue.live) continue;
      row.querySelector('[data-field="waiting"]').textContent = queue.live.waiting;
      row.querySelector('[data-field="longest_wait_s"]').textContent = waitClock(queue.live.longest_wait_s);
    }
    const staff = agents ? await getJson(agents.dataset.liveSource) : null;
    for (const agent of staff ? staff.agents : []) {
      const row = agents.querySelector(`tr[data-agent="${CSS.escape(agent.extension)}"]`);
      if (row) showState(row.querySelector('[data-field="state"]'), agent.state, words);
    }
  };
  window.setInterval(() => poll().catch(() => {}), 3000);
}

function pollOwnState() {
  const cell = document.getElementById("agent-state");
  if (!cell || !cell.dataset.liveSource) return;
  const words = wordsOf(cell);
  // The buttons differ for logged out, paused, and the rest: when that changes (a
  // supervisor paused this agent, say), the page is fetched anew to offer the right ones.
  const buttons = (state) => (state === "logged-out" || state === "paused" ? state : "in");
  const shown = buttons(cell.dataset.state);
  const poll = async () => {
    const agent = await getJson(cell.dataset.liveSource);
    if (!agent) return;
    if (buttons(agent.state) !== shown) {
      window.location.reload();
      return;
    }
    showState(cell, agent.state, words);
    cell.classList.add("agent-state");
  };
  window.setInterval(() => poll().catch(() => {}), 3000);
}

document.addEventListener("DOMContentLoaded", () => {
  pollDashboard();
  connectWallboard();
  pollQueues();
  pollOwnState();
});
