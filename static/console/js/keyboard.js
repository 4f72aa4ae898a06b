// Keyboard shortcuts of the console and the `?` overlay that lists them (the list comes from the server,
// translated: console/keyboard.py). Single keys never fire while the agent types in a field.
import { commands, keyboardStrings as strings, moveCursor, openCursor } from "./commands.js";
import { openPalette } from "./palette.js";

function typingIn(target) {
  return Boolean(target.closest?.("input, textarea, select, [contenteditable=''], [contenteditable=true]"));
}

let overlay = null;

function closeOverlay() {
  overlay?.remove();
  overlay = null;
}

function showShortcuts() {
  if (overlay) return closeOverlay();
  const opener = document.activeElement;
  overlay = document.createElement("div");
  overlay.className = "modal-backdrop";
  const dialog = document.createElement("div");
  dialog.className = "modal shortcuts";
  dialog.setAttribute("role", "dialog");
  dialog.setAttribute("aria-modal", "true");
  dialog.setAttribute("aria-labelledby", "shortcuts-title");
  const title = document.createElement("h2");
  title.id = "shortcuts-title";
  title.textContent = strings.shortcutsTitle;
  const list = document.createElement("dl");
  for (const shortcut of strings.shortcuts || []) {
    const keys = document.createElement("dt");
    shortcut.keys.forEach((key, index) => {
      if (index) keys.append(" / ");
      const kbd = document.createElement("kbd");
      kbd.textContent = key;
      keys.append(kbd);
    });
    const label = document.createElement("dd");
    label.textContent = shortcut.label;
    list.append(keys, label);
  }
  const close = document.createElement("button");
  close.type = "button";
  close.className = "secondary";
  close.textContent = strings.close;
  close.addEventListener("click", () => { closeOverlay(); opener?.focus?.(); });
  dialog.append(title, list, close);
  overlay.append(dialog);
  overlay.addEventListener("click", (event) => { if (event.target === overlay) closeOverlay(); });
  document.body.append(overlay);
  close.focus();
}

const SINGLE_KEYS = {
  j: () => moveCursor(1),
  k: () => moveCursor(-1),
  o: openCursor,
  a: () => commands.assignMe.available() && commands.assignMe.run(),
  e: () => commands.resolve.available() && commands.resolve.run(),
  z: () => commands.snooze.available() && commands.snooze.run(),
  l: () => commands.label.available() && commands.label.run(),
  r: () => commands.reply.available() && commands.reply.run(),
  n: () => commands.note.available() && commands.note.run(),
  "/": () => document.querySelector(".search input[type=search]")?.focus(),
  "?": showShortcuts,
};

export function setupKeyboard() {
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k") {
      event.preventDefault();
      closeOverlay();
      openPalette();
      return;
    }
    if (event.key === "Escape") {
      if (overlay) closeOverlay();
      else if (typingIn(event.target)) event.target.blur();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented || typingIn(event.target)) return;
    if (document.querySelector(".modal-backdrop") && event.key !== "?") return;
    const action = SINGLE_KEYS[event.key];
    if (!action) return;
    event.preventDefault();
    action();
  });
}
