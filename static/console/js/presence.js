// Presence (online/away), mention notifications, and a browser notification with a sound for
// new customer messages in one's own conversations.
import { format, me, strings } from "./common.js";

const STATUS_KEY = "omnidesk:presence";

function beep() {
  try {
    const audio = new AudioContext();
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = 880;
    gain.gain.setValueAtTime(0.15, audio.currentTime);
    gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + 0.4);
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + 0.4);
  } catch {
    // No audio available: the notification is enough.
  }
}

function notify(title, body, url) {
  beep();
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  const notification = new Notification(title, { body, tag: url });
  notification.onclick = () => {
    window.focus();
    location.href = url;
  };
}

export function setupPresence(socket) {
  const select = document.getElementById("presence");
  if (!select) return;
  select.value = localStorage.getItem(STATUS_KEY) || "online";
  socket.presence = select.value;
  select.addEventListener("change", () => {
    localStorage.setItem(STATUS_KEY, select.value);
    socket.setPresence(select.value);
  });
  // Browsers only ask for permission after a gesture of the user.
  document.addEventListener("click", () => {
    if ("Notification" in window && Notification.permission === "default") Notification.requestPermission();
  }, { once: true });

  const count = document.getElementById("notification-count");
  socket.on("notification.created", (p) => {
    count.textContent = Number(count.textContent || 0) + 1;
    count.hidden = false;
    notify(format(strings.mentioned, { name: p.actor_name }), p.preview, `/conversations/${p.conversation}/`);
  });

  socket.on("message.created", (p) => {
    if (p.direction !== "inbound" || p.assignee !== me) return;
    const viewing = Number(document.getElementById("conversation")?.dataset.conversation) === p.conversation;
    if (viewing && document.visibilityState === "visible") return;
    const row = document.querySelector(`#row-${p.conversation} .name`);
    notify(format(strings.newMessage, { name: row ? row.textContent : "" }), p.text.slice(0, 140),
      `/conversations/${p.conversation}/`);
  });

  // Presence of others, where the page shows it (supervisor view, assignee lists).
  socket.on("presence.changed", (p) => {
    if (p.user === me && select.value !== p.status && p.status !== "offline") select.value = p.status;
  });
}
