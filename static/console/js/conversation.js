// The open conversation: live timeline, older pages on scroll, actions, customer panel, collision.
import { batched, element, format, getJSON, me, post, strings, upsert } from "./common.js";
import { setupComposer } from "./composer.js";

// Outbound messages whose status may still move; their rows are re-read on every sync.
const SETTLED = new Set(["read", "failed"]);
const TYPING_SHOWN_MS = 4000;

export function setupConversation(socket) {
  const pane = document.getElementById("conversation");
  if (!pane) return;
  const id = Number(pane.dataset.conversation);
  const timeline = document.getElementById("timeline");
  const older = document.getElementById("older");
  let syncedAt = pane.dataset.syncedAt;
  let revoked = false;

  const nearBottom = () => timeline.scrollHeight - timeline.scrollTop - timeline.clientHeight < 80;
  const toBottom = () => { timeline.scrollTop = timeline.scrollHeight; };

  function markRead() {
    if (document.visibilityState === "visible") post(pane.dataset.readUrl, {});
  }

  function keepOpenDetails(oldNode, newNode) {
    const open = [...oldNode.querySelectorAll("details")].map((d) => d.open);
    newNode.querySelectorAll("details").forEach((d, i) => { d.open = open[i] || false; });
  }

  function replaceUnlessFocused(selector, html) {
    const current = document.querySelector(selector);
    if (!current || current.contains(document.activeElement)) return;
    const fresh = element(html);
    keepOpenDetails(current, fresh);
    current.replaceWith(fresh);
  }

  function showItems(items) {
    const stick = nearBottom();
    for (const item of items) upsert(timeline, item.html);
    if (stick) toBottom();
  }

  async function sync() {
    const moving = [...timeline.querySelectorAll(".message.outbound")]
      .filter((node) => !SETTLED.has(node.dataset.status)).slice(-50).map((node) => node.dataset.message);
    const data = await getJSON(
      `${pane.dataset.syncUrl}?since=${encodeURIComponent(syncedAt)}&ids=${moving.join(",")}`,
    );
    syncedAt = data.synced_at;
    showItems(data.items);
    replaceUnlessFocused("#conversation-header", data.header);
    replaceUnlessFocused("#customer-panel", data.panel);
    composer?.replaceChannels(data.channels);
    markRead();
  }
  const queueSync = batched(() => sync());

  socket.subscribe(id);
  socket.on("message.created", (p) => p.conversation === id && queueSync());
  socket.on("message.updated", (p) => p.conversation === id && queueSync());
  socket.on("conversation.updated", (p) => p.id === id && queueSync());
  socket.on("conversations.merged", (p) => {
    if (p.source_conversation === id && !p.undone) {
      pane.querySelector("#viewers").textContent = strings.merged;
      location.href = `/conversations/${p.target_conversation}/`;
    } else if (p.source_conversation === id || p.target_conversation === id) {
      queueSync();
    }
  });
  socket.on("conversation.revoked", (p) => {
    if (p.conversation !== id) return;
    revoked = true;
    pane.classList.add("revoked");
    pane.querySelector("#viewers").textContent = strings.revoked;
    for (const field of pane.querySelectorAll("textarea, input, select, button")) field.disabled = true;
  });
  // After a reconnection (or a change of access) the page asks again; a lost conversation stays lost.
  socket.onReconnect(() => !revoked && sync());

  // Collision: who else is here, who is typing.
  const viewers = document.getElementById("viewers");
  socket.on("conversation.viewers", (p) => {
    if (p.conversation !== id) return;
    const others = p.viewers.filter((v) => v.user !== me).map((v) => v.name);
    viewers.textContent = others.length ? format(strings.viewing, { names: others.join(", ") }) : "";
  });
  const typing = document.getElementById("typing");
  let typingTimer = null;
  socket.on("conversation.typing", (p) => {
    if (p.conversation !== id || p.user === me) return;
    clearTimeout(typingTimer);
    // The customer in the web chat says when they stop; agents just stop sending.
    typing.textContent = p.typing ? format(strings.typing, { name: p.name || strings.customer }) : "";
    typingTimer = setTimeout(() => { typing.textContent = ""; }, TYPING_SHOWN_MS);
  });

  // Older pages: on scroll to the top or with the button.
  let loadingOlder = false;
  async function loadOlder() {
    if (loadingOlder || older.hidden) return;
    loadingOlder = true;
    const height = timeline.scrollHeight;
    const data = await getJSON(`${pane.dataset.olderUrl}?before=${encodeURIComponent(older.dataset.cursor)}`);
    for (const item of data.items) upsert(timeline, item.html);
    older.dataset.cursor = data.cursor;
    older.hidden = !data.cursor;
    timeline.scrollTop += timeline.scrollHeight - height;
    loadingOlder = false;
  }
  older.addEventListener("click", loadOlder);
  timeline.addEventListener("scroll", () => { if (timeline.scrollTop < 40) loadOlder(); });

  // Actions on the conversation: each control posts its own field.
  async function update(fields) {
    const form = document.getElementById("actions");
    const answer = await post(form.action, fields);
    const error = form.querySelector("[data-error]");
    if (!answer.ok) {
      error.textContent = answer.error;
      return;
    }
    const fresh = element(answer.header);
    document.getElementById("conversation-header").replaceWith(fresh);
  }
  pane.addEventListener("change", (event) => {
    const field = event.target;
    if (!field.closest("#actions")) return;
    if (field.name === "status" && field.value === "snoozed") {
      field.closest("form").querySelector(".snooze").hidden = false;
      return;
    }
    if (["assignee", "team", "status", "priority", "labels"].includes(field.name)) update({ [field.name]: field.value });
  });
  // Enter in the labels field submits the actions form: save the labels, stay on the page.
  pane.addEventListener("submit", (event) => {
    if (event.target.id !== "actions") return;
    event.preventDefault();
    update({ labels: event.target.querySelector("[name=labels]").value });
  });
  pane.addEventListener("click", async (event) => {
    const target = event.target;
    if (target.matches("[data-assign-me]")) update({ assignee: target.dataset.assignMe });
    if (target.matches("[data-resolve]")) update({ status: "resolved" });
    if (target.matches("[data-snooze]")) {
      const until = target.closest("form").querySelector("[name=snoozed_until]").value;
      update({ status: "snoozed", snoozed_until: until });
    }
    if (target.matches("[data-retry]")) {
      target.disabled = true;
      const answer = await post(target.dataset.retry, {});
      if (!answer.ok) target.closest(".failure").append(` ${answer.error}`);
      queueSync();
    }
  });

  // Customer panel: add an address, edit, merge (confirmed), undo a merge (confirmed).
  document.addEventListener("submit", async (event) => {
    const form = event.target;
    const panel = form.closest("#customer-panel");
    if (!panel) return;
    event.preventDefault();
    if (form.dataset.merge !== undefined && !confirm(format(strings.confirmMerge, { source: form.dataset.merge }))) return;
    if (form.dataset.undoMerge !== undefined && !confirm(strings.confirmUndo)) return;
    const answer = await post(form.action, new FormData(form));
    const error = form.querySelector("[data-error]") || panel.querySelector("[data-panel-error]");
    if (!answer.ok) {
      error.textContent = answer.error;
      return;
    }
    document.activeElement?.blur();
    sync();
  });

  const composer = setupComposer(socket, id, (item) => { showItems([item]); toBottom(); });
  toBottom();
  markRead();
  document.addEventListener("visibilitychange", markRead);
  if (location.hash) document.querySelector(location.hash)?.scrollIntoView();
}
