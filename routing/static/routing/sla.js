// SLA due badges that count down in business time, the "why" list kept open across refreshes,
// and the agent's own status when it is changed elsewhere (API, another tab).

const TICK_MS = 1000;
const openWhy = new Set();

// Business seconds left: the open periods between now and the due time, as the server listed them.
export function businessSecondsLeft(periods, now) {
  let left = 0;
  for (const [start, end] of periods) {
    const from = Math.max(Date.parse(start), now);
    const to = Date.parse(end);
    if (to > from) left += (to - from) / 1000;
  }
  return left;
}

export function formatLeft(seconds) {
  const sign = seconds < 0 ? "-" : "";
  let rest = Math.floor(Math.abs(seconds));
  const days = Math.floor(rest / 86400);
  rest -= days * 86400;
  const hours = Math.floor(rest / 3600);
  rest -= hours * 3600;
  const minutes = Math.floor(rest / 60);
  const secs = rest - minutes * 60;
  const two = (n) => String(n).padStart(2, "0");
  if (days) return `${sign}${days}d ${hours}h`;
  if (hours) return `${sign}${hours}h ${two(minutes)}m`;
  return `${sign}${two(minutes)}:${two(secs)}`;
}

function tick(root = document) {
  const now = Date.now();
  for (const badge of root.querySelectorAll(".sla-badge[data-due]")) {
    const state = badge.dataset.state;
    if (state !== "running" && state !== "breached") continue;
    const due = Date.parse(badge.dataset.due);
    if (Number.isNaN(due)) continue;
    let left;
    if (now >= due) {
      left = -(now - due) / 1000;
    } else {
      left = businessSecondsLeft(JSON.parse(badge.dataset.periods || "[]"), now);
    }
    const warn = Number(badge.dataset.warn || 0);
    const level = left <= 0 ? "red" : left <= warn ? "amber" : "green";
    if (badge.dataset.level !== level) badge.dataset.level = level;
    const text = badge.querySelector(".sla-left");
    const shown = formatLeft(left);
    // Only real changes: the observer below would otherwise wake this again for nothing.
    if (text.textContent !== shown) text.textContent = shown;
  }
  for (const id of openWhy) {
    const why = document.getElementById(id);
    if (why && !why.open) why.open = true;
  }
}

export function setupRouting(socket) {
  tick();
  setInterval(tick, TICK_MS);
  // The header is re-rendered on every change: remember which "why" lists the agent opened.
  document.addEventListener("toggle", (event) => {
    const why = event.target;
    if (!why.classList?.contains("sla-why")) return;
    if (why.open) openWhy.add(why.id);
    else openWhy.delete(why.id);
  }, true);
  // Rows and headers replaced from the server start counting at once, not a second later.
  new MutationObserver(() => tick()).observe(document.body, { childList: true, subtree: true });
  const me = Number(document.body.dataset.user || 0);
  socket.on("presence.changed", (p) => {
    if (p.user === me && p.status !== "offline") {
      socket.presence = p.status;
      localStorage.setItem("omnidesk:presence", p.status);
    }
  });
}
