// The live inbox: rows appear, move and leave as events arrive; counts follow; bulk actions.
import { batched, element, getJSON, insertSorted, post, refreshRelativeTimes, strings } from "./common.js";

export function setupInbox(socket) {
  const list = document.getElementById("inbox");
  if (!list) return;
  const empty = document.getElementById("inbox-empty");
  const current = list.dataset.current;
  const baseTitle = document.title;
  let more = list.children.length >= Number(list.dataset.pageSize);

  function rowsUrl(extra) {
    return `${list.dataset.rowsUrl}?${list.dataset.query}&${extra}`;
  }

  function place(html) {
    const row = element(html);
    const existing = document.getElementById(row.id);
    if (existing) {
      row.querySelector(".pick").checked = existing.querySelector(".pick").checked;
      existing.remove();
    }
    if (String(row.dataset.id) === current) {
      row.classList.add("current");
      // The agent is reading it: nothing there is unread for them.
      row.querySelector(".unread").hidden = true;
    }
    insertSorted(list, row);
  }

  function apply(data, replaceAll) {
    if (replaceAll) list.replaceChildren();
    for (const row of data.rows) place(row.html);
    for (const id of data.missing) document.getElementById(`row-${id}`)?.remove();
    for (const [view, count] of Object.entries(data.counts)) {
      const node = document.querySelector(`[data-count="${view}"]`);
      if (node) node.textContent = count;
    }
    document.title = data.unread_mine ? `(${data.unread_mine}) ${baseTitle}` : baseTitle;
    empty.hidden = list.children.length > 0;
    refreshRelativeTimes(list);
    updateBulk();
  }

  const refreshRows = batched(async (ids) => {
    apply(await getJSON(rowsUrl(`ids=${ids.join(",")}`)), false);
  });

  async function reloadAll() {
    const data = await getJSON(rowsUrl("offset=0"));
    more = data.more;
    apply(data, true);
  }

  // One frame per change: the row alone, or the full message (where the conversation is open) with it.
  for (const name of ["conversation.created", "conversation.updated"]) {
    socket.on(name, (payload) => refreshRows(payload.id));
  }
  socket.on("message.created", (payload) => payload.inbox_row && refreshRows(payload.conversation));
  // No longer ours (moved, reassigned, left its team): the server answers it as missing and the row goes.
  socket.on("conversation.revoked", (payload) => refreshRows(payload.conversation));
  socket.on("conversations.merged", (payload) => {
    refreshRows(payload.source_conversation);
    refreshRows(payload.target_conversation);
  });
  socket.onReconnect(reloadAll);

  // Older rows when scrolled to the end.
  list.parentElement.addEventListener("scroll", async () => {
    const box = list.parentElement;
    if (!more || box.scrollTop + box.clientHeight < box.scrollHeight - 40) return;
    more = false;
    const data = await getJSON(rowsUrl(`offset=${list.children.length}`));
    more = data.more;
    apply(data, false);
  });

  // Filters apply as soon as they change.
  const filters = document.getElementById("filters");
  filters?.addEventListener("change", () => filters.submit());

  // Bulk actions on the ticked rows.
  const bulk = document.getElementById("bulk");
  function picked() {
    return [...list.querySelectorAll(".pick:checked")].map((box) => box.value);
  }
  function updateBulk() {
    const ids = picked();
    bulk.hidden = ids.length === 0;
    bulk.querySelector(".bulk-count").textContent = ids.length ? `${ids.length} ✓` : "";
  }
  list.addEventListener("change", (event) => {
    if (event.target.classList.contains("pick")) updateBulk();
  });
  bulk.addEventListener("submit", async (event) => {
    event.preventDefault();
    const ids = picked();
    const error = bulk.querySelector(".bulk-error");
    if (!ids.length) {
      error.textContent = strings.choose;
      return;
    }
    const data = new FormData();
    data.append("conversations", ids.join(","));
    for (const field of bulk.querySelectorAll("select, input[name=add_label]")) {
      if (field.value) data.append(field.name, field.value);
    }
    const answer = await post(bulk.action, data);
    error.textContent = answer.ok ? "" : answer.error || (answer.errors || []).join(" ");
    if (answer.ok) {
      bulk.reset();
      for (const box of list.querySelectorAll(".pick:checked")) box.checked = false;
      updateBulk();
    }
  });

  // Counts and the unread total in the tab title, without touching the rendered rows.
  getJSON(rowsUrl("ids=")).then((data) => apply(data, false));
  refreshRelativeTimes(list);
  setInterval(() => refreshRelativeTimes(), 30000);
  const currentRow = current && document.getElementById(`row-${current}`);
  if (currentRow) {
    currentRow.classList.add("current");
    currentRow.querySelector(".unread").hidden = true;
  }
}
