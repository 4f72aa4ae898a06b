// The command palette (Ctrl/Cmd+K): jump to a conversation, a customer or a view, or run an action.
// Actions and views are found in the page itself; customers and conversations are asked of the server.
import { getJSON } from "./common.js";
import { commands, keyboardStrings as strings } from "./commands.js";

const SEARCH_DELAY_MS = 150;
const ACTIONS = ["assignMe", "resolve", "snooze", "label", "reply", "note"];

function folded(text) {
  return (text || "").normalize("NFD").replace(/\p{Diacritic}/gu, "").toLowerCase();
}

function pageEntries() {
  const entries = [];
  for (const name of ACTIONS) {
    if (commands[name].available()) entries.push({ group: strings.actions, label: strings[name], run: commands[name].run });
  }
  const navigation = [["goInbox", "/"], ["goSettings", "/settings/"]];
  if (document.querySelector(".mainnav a[href='/supervisor/']")) navigation.push(["goSupervisor", "/supervisor/"]);
  for (const [key, url] of navigation) entries.push({ group: strings.actions, label: strings[key], url });
  for (const link of document.querySelectorAll(".views a.view")) {
    entries.push({ group: strings.views, label: link.querySelector(".view-name")?.textContent.trim()
      || link.textContent.trim(), detail: link.querySelector(".count")?.textContent.trim(), url: link.href });
  }
  return entries;
}

let backdrop = null;

function close(restoreFocus = true) {
  if (!backdrop) return;
  const opener = backdrop.opener;
  backdrop.remove();
  backdrop = null;
  if (restoreFocus) opener?.focus?.();
}

export function openPalette() {
  if (backdrop) return;
  backdrop = document.createElement("div");
  backdrop.className = "modal-backdrop";
  backdrop.opener = document.activeElement;
  backdrop.innerHTML = `<div class="modal palette" role="dialog" aria-modal="true">
      <input type="text" class="palette-input" role="combobox" aria-expanded="true" aria-controls="palette-results"
             aria-autocomplete="list" autocomplete="off" spellcheck="false">
      <ul id="palette-results" class="palette-results" role="listbox"></ul>
    </div>`;
  const dialog = backdrop.querySelector(".palette");
  const input = backdrop.querySelector("input");
  const list = backdrop.querySelector("ul");
  dialog.setAttribute("aria-label", strings.paletteLabel);
  input.setAttribute("aria-label", strings.paletteLabel);
  input.placeholder = strings.palettePlaceholder;
  list.setAttribute("aria-label", strings.paletteLabel);
  const local = pageEntries();
  let found = [];
  let remote = { customers: [], conversations: [] };
  let chosen = 0;
  let timer = null;
  let asked = "";

  function run(entry) {
    close(!entry.url);
    if (entry.url) location.assign(entry.url);
    else entry.run();
  }

  function draw() {
    const query = folded(input.value.trim());
    const matches = local.filter((entry) => !query || folded(entry.label).includes(query));
    found = [
      ...matches,
      ...remote.conversations.map((entry) => ({ ...entry, group: strings.conversations })),
      ...remote.customers.map((entry) => ({ ...entry, group: strings.customers })),
    ];
    if (query) found.push({ group: strings.actions, label: strings.searchFor.replace("%(q)s", input.value.trim()),
      url: `/search/?q=${encodeURIComponent(input.value.trim())}` });
    chosen = Math.min(chosen, Math.max(found.length - 1, 0));
    list.replaceChildren();
    let group = null;
    found.forEach((entry, index) => {
      if (entry.group !== group) {
        group = entry.group;
        const heading = document.createElement("li");
        heading.className = "palette-group";
        heading.setAttribute("role", "presentation");
        heading.textContent = group;
        list.append(heading);
      }
      const item = document.createElement("li");
      item.id = `palette-option-${index}`;
      item.className = "palette-option";
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", String(index === chosen));
      const label = document.createElement("span");
      label.textContent = entry.label;
      item.append(label);
      if (entry.detail) {
        const detail = document.createElement("small");
        detail.textContent = entry.detail;
        item.append(detail);
      }
      item.addEventListener("mousedown", (event) => { event.preventDefault(); run(entry); });
      list.append(item);
    });
    if (!found.length) {
      const empty = document.createElement("li");
      empty.className = "palette-empty";
      empty.setAttribute("role", "presentation");
      empty.textContent = strings.nothingFound;
      list.append(empty);
    }
    if (found.length) input.setAttribute("aria-activedescendant", `palette-option-${chosen}`);
    else input.removeAttribute("aria-activedescendant");
    list.querySelector("[aria-selected=true]")?.scrollIntoView({ block: "nearest" });
  }

  async function ask() {
    const text = input.value.trim();
    asked = text;
    if (text.length < 2) {
      remote = { customers: [], conversations: [] };
      draw();
      return;
    }
    const answer = await getJSON(`/palette/?q=${encodeURIComponent(text)}`);
    if (asked === text && backdrop) {
      remote = answer;
      draw();
    }
  }

  input.addEventListener("input", () => {
    chosen = 0;
    draw();
    clearTimeout(timer);
    timer = setTimeout(ask, SEARCH_DELAY_MS);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!found.length) return;
      chosen = (chosen + (event.key === "ArrowDown" ? 1 : -1) + found.length) % found.length;
      draw();
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (found[chosen]) run(found[chosen]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      close();
    }
  });
  backdrop.addEventListener("mousedown", (event) => { if (event.target === backdrop) close(); });
  document.body.append(backdrop);
  draw();
  input.focus();
}
