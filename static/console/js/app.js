// Entry point of every console page.
import { ConsoleSocket } from "./socket.js";
import { setupConversation } from "./conversation.js";
import { setupInbox } from "./inbox.js";
import { setupKeyboard } from "./keyboard.js";
import { setupDrawer, showToast } from "./layout.js";
import { setupPresence } from "./presence.js";
import { setupSavedViews } from "./saved_views.js";
import { setupSupervisor } from "./supervisor.js";
import { setupRouting } from "../../routing/sla.js";

// The browser's time zone, used until the agent chooses one in the preferences.
const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
if (zone) document.cookie = `omnidesk_tz=${zone}; path=/; max-age=31536000; samesite=lax`;

const socket = new ConsoleSocket("/ws/console/");
setupPresence(socket);
setupInbox(socket);
setupConversation(socket);
setupSupervisor(socket);
setupRouting(socket);
setupKeyboard();
setupSavedViews();
setupDrawer();
document.addEventListener("console:failed", (event) => showToast(event.detail));
socket.connect();
