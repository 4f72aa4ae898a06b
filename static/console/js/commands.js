// What the keyboard and the command palette can do on the current page: each command runs the same
// control an agent would click, so the page's own scripts (conversation.js, composer.js) do the work.
export const keyboardStrings = JSON.parse(document.getElementById("keyboard-strings")?.textContent || "{}");

function control(selector) {
  return document.querySelector(selector);
}

function choose(select, value) {
  select.value = value;
  select.dispatchEvent(new Event("change", { bubbles: true }));
}

function setComposerMode(mode) {
  const radio = control(`#composer input[name=mode][value=${mode}]`);
  if (!radio) return;
  radio.checked = true;
  radio.dispatchEvent(new Event("change", { bubbles: true }));
  control("#composer-text")?.focus();
}

// name -> {label, available(), run()}
export const commands = {
  assignMe: {
    available: () => Boolean(control("[data-assign-me]")),
    run: () => control("[data-assign-me]").click(),
  },
  resolve: {
    available: () => Boolean(control("[data-resolve]")),
    run: () => control("[data-resolve]").click(),
  },
  snooze: {
    available: () => Boolean(control("#actions select[name=status] option[value=snoozed]")),
    run: () => {
      choose(control("#actions select[name=status]"), "snoozed");
      control("#actions input[name=snoozed_until]")?.focus();
    },
  },
  label: {
    available: () => Boolean(control("#actions input[name=labels]")),
    run: () => control("#actions input[name=labels]").focus(),
  },
  reply: { available: () => Boolean(control("#composer")), run: () => setComposerMode("reply") },
  note: { available: () => Boolean(control("#composer")), run: () => setComposerMode("note") },
};

// The inbox rows, and the one the keyboard is on (the open conversation's, at first).
function rows() {
  return [...document.querySelectorAll("#inbox > .row")];
}

export function moveCursor(step) {
  const all = rows();
  if (!all.length) return;
  const at = all.findIndex((row) => row.classList.contains("cursor"));
  const from = at >= 0 ? at : all.findIndex((row) => row.classList.contains("current"));
  const next = all[Math.min(all.length - 1, Math.max(0, from + step))] || all[0];
  for (const row of all) row.classList.remove("cursor");
  next.classList.add("cursor");
  const link = next.querySelector("a");
  link.focus();
  next.scrollIntoView({ block: "nearest" });
}

export function openCursor() {
  const row = document.querySelector("#inbox > .row.cursor") || document.querySelector("#inbox > .row");
  row?.querySelector("a")?.click();
}
