// The console websocket: reconnects with backoff, re-subscribes, and tells who needs to resynchronise.
import { strings } from "./common.js";

// The server says how often to ping so that presence never expires while this page is open.
const HEARTBEAT_MS = 1000 * Number(document.body.dataset.heartbeatSeconds || 30);
// The server closes with this code when the agent is signed out or deactivated: reloading shows the login.
const CLOSED_UNAUTHENTICATED = 4401;

export class ConsoleSocket {
  constructor(path) {
    this.path = path;
    this.handlers = new Map();
    this.reconnectHooks = [];
    this.subscriptions = new Set();
    this.attempts = 0;
    this.everOpened = false;
    this.presence = "online";
    this.indicator = document.getElementById("connection");
  }

  on(event, handler) {
    if (!this.handlers.has(event)) this.handlers.set(event, []);
    this.handlers.get(event).push(handler);
  }

  // Called after every reconnection, and when the agent's access changed (teams, role): events sent
  // while we were away are lost, or the inbox holds other conversations now, so state is fetched again.
  onReconnect(hook) {
    this.reconnectHooks.push(hook);
  }

  resynchronise() {
    for (const hook of this.reconnectHooks) hook();
  }

  send(frame) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  subscribe(conversation) {
    this.subscriptions.add(conversation);
    this.send({ type: "subscribe", conversation });
  }

  setPresence(status) {
    this.presence = status;
    this.send({ type: "presence", status });
  }

  state(name) {
    if (!this.indicator) return;
    this.indicator.dataset.state = name;
    this.indicator.title = name === "live" ? strings.live : strings.reconnecting;
    this.indicator.textContent = name === "live" ? "" : strings.reconnecting;
  }

  connect() {
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    this.ws = new WebSocket(`${scheme}://${location.host}${this.path}`);
    this.ws.onopen = () => {
      this.attempts = 0;
      for (const conversation of this.subscriptions) this.send({ type: "subscribe", conversation });
      this.send({ type: "presence", status: this.presence });
      if (this.everOpened) this.resynchronise();
      this.everOpened = true;
      this.state("live");
    };
    this.ws.onmessage = (message) => {
      const frame = JSON.parse(message.data);
      if (frame.type === "access_changed") this.resynchronise();
      if (frame.type !== "event") return;
      for (const handler of this.handlers.get(frame.event) || []) handler(frame.payload);
    };
    this.ws.onclose = (closed) => {
      if (closed.code === CLOSED_UNAUTHENTICATED) {
        location.reload();
        return;
      }
      this.state("reconnecting");
      const delay = Math.min(30000, 500 * 2 ** this.attempts) + Math.random() * 500;
      this.attempts += 1;
      setTimeout(() => this.connect(), delay);
    };
    if (!this.heartbeat) {
      this.heartbeat = setInterval(() => this.send({ type: "presence", status: this.presence }), HEARTBEAT_MS);
    }
  }
}
