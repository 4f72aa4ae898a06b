// The supervisor view re-reads its numbers whenever something they count changes.
import { batched, refreshRelativeTimes } from "./common.js";

export function setupSupervisor(socket) {
  const board = document.getElementById("supervisor");
  if (!board) return;
  const refresh = batched(async () => {
    const response = await fetch(board.dataset.panelUrl, { credentials: "same-origin" });
    if (response.ok) {
      board.innerHTML = await response.text();
      refreshRelativeTimes(board);
    }
  }, 300);
  for (const event of ["conversation.created", "conversation.updated", "message.created", "presence.changed",
    "conversations.merged", "queue.changed", "sla.changed"]) {
    socket.on(event, () => refresh());
  }
  socket.onReconnect(() => refresh());
  refreshRelativeTimes(board);
}
