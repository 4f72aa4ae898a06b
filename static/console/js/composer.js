// The composer: reply or private note, channel choice, approved templates, Enter sends, drafts, /canned,
// @mentions, files.
import { element, format, me, post, strings } from "./common.js";

const TYPING_EVERY_MS = 3000;
const SUGGESTIONS_SHOWN = 8;

const TEMPLATE_FIELDS = ".template-picker select, .template-picker input";

// Which picker, template and variable a field of the template pickers is.
function templateFieldKey(field) {
  const fields = field.closest(".template-fields");
  return [field.closest(".template-picker").dataset.channel, fields ? fields.dataset.template : "", field.name].join("|");
}

function json(id) {
  return JSON.parse(document.getElementById(id)?.textContent || "[]");
}

export function setupComposer(socket, conversation, onSent) {
  const form = document.getElementById("composer");
  if (!form) return;
  const text = form.querySelector("textarea[name=text]");
  const files = form.querySelector("input[type=file]");
  const fileList = document.getElementById("files");
  const error = form.querySelector("[data-error]");
  const menu = document.getElementById("suggestions");
  let channelChoice = form.querySelector(".channel-choice");
  // Set when the agent picks a channel: their choice stands while it stays usable.
  let chosenChannel = null;
  const privateField = form.querySelector("input[name=private]");
  const replyPlaceholder = text.placeholder;
  const draftKey = `omnidesk:draft:${me}:${conversation}`;
  const canned = json("canned-responses");
  const agents = json("mention-agents");
  let lastTyping = 0;
  let choices = [];
  let chosen = 0;

  // Drafts: kept per conversation in this browser until sent.
  text.value = localStorage.getItem(draftKey) || "";

  function setMode(mode) {
    const note = mode === "note";
    privateField.value = note ? "1" : "";
    channelChoice.hidden = note;
    form.classList.toggle("note-mode", note);
    text.placeholder = note ? text.dataset.notePlaceholder : replyPlaceholder;
    showTemplate();
  }
  // Participants the agent took out of Cc stay out while this page is open, even when the channels re-render.
  const uncopied = new Set();
  form.addEventListener("click", (event) => {
    const remove = event.target.closest(".cc-remove");
    if (!remove) return;
    const chip = remove.closest(".cc-chip");
    uncopied.add(chip.querySelector("input[name=cc]").value);
    chip.remove();
  });
  form.addEventListener("change", (event) => {
    if (event.target.name === "mode") setMode(event.target.value);
    if (event.target === files) showFiles();
    if (event.target.name === "channel") chosenChannel = event.target.value;
    if (event.target.name === "channel" || event.target.name === "template") showTemplate();
  });

  // The template picker of the chosen channel (a closed WhatsApp window allows nothing else): only its
  // fields are enabled, so only they are sent; a template has its own text, so the text box waits.
  function chosenTemplate() {
    const picker = channelChoice.querySelector(".template-picker:not([disabled])");
    return picker ? picker.querySelector("select[name=template]").value : "";
  }
  function showTemplate() {
    const channel = channelChoice.querySelector("select[name=channel]").value;
    for (const picker of channelChoice.querySelectorAll(".template-picker")) {
      const active = !privateField.value && picker.dataset.channel === channel;
      picker.hidden = picker.disabled = !active;
      const template = picker.querySelector("select[name=template]").value;
      for (const fields of picker.querySelectorAll(".template-fields")) {
        fields.hidden = fields.disabled = !active || fields.dataset.template !== template;
      }
    }
    // The participants copied on the reply: only the chosen channel's chips are sent.
    for (const picker of channelChoice.querySelectorAll(".cc-picker")) {
      picker.hidden = picker.disabled = Boolean(privateField.value) || picker.dataset.channel !== channel;
    }
    const template = chosenTemplate();
    text.disabled = files.disabled = Boolean(template);
    form.classList.toggle("template-mode", Boolean(template));
  }

  // The channels change when the customer writes on a new one or gets a new address.
  function replaceChannels(html) {
    if (channelChoice.contains(document.activeElement)) return;
    const fresh = element(html);
    fresh.hidden = channelChoice.hidden;
    const option = chosenChannel && fresh.querySelector(`option[value="${chosenChannel}"]:not([disabled])`);
    if (option) option.selected = true;
    // What the agent chose and typed in the template pickers stays.
    const kept = new Map([...channelChoice.querySelectorAll(TEMPLATE_FIELDS)].map((f) => [templateFieldKey(f), f.value]));
    for (const field of fresh.querySelectorAll(TEMPLATE_FIELDS)) {
      const value = kept.get(templateFieldKey(field));
      if (value !== undefined && (!field.options || [...field.options].some((o) => o.value === value))) field.value = value;
    }
    for (const chip of fresh.querySelectorAll(".cc-chip")) {
      if (uncopied.has(chip.querySelector("input[name=cc]").value)) chip.remove();
    }
    channelChoice.replaceWith(fresh);
    channelChoice = fresh;
    showTemplate();
  }

  function showFiles() {
    const maxBytes = Number(form.dataset.maxBytes);
    const problems = [];
    if (files.files.length > Number(form.dataset.maxFiles)) problems.push(strings.tooMany);
    for (const file of files.files) if (file.size > maxBytes) problems.push(format(strings.tooLarge, { name: file.name }));
    fileList.textContent = [...files.files].map((file) => file.name).join(", ");
    error.textContent = problems.join(" ");
    return problems.length === 0;
  }

  // Suggestions: "/shortcut" at the start of the text, "@name" anywhere in a note.
  function currentToken() {
    const before = text.value.slice(0, text.selectionStart);
    const slash = before.match(/^\/([\w-]*)$/);
    if (slash) return { kind: "canned", query: slash[1].toLowerCase(), start: 0 };
    const at = before.match(/(^|\s)@([\w.+-]*)$/);
    if (at && privateField.value) return { kind: "mention", query: at[2].toLowerCase(), start: before.length - at[2].length - 1 };
    return null;
  }

  function renderMenu() {
    const token = currentToken();
    choices = [];
    if (token?.kind === "canned") {
      choices = canned.filter((c) => c.shortcut.startsWith(token.query)).map((c) => ({
        label: `/${c.shortcut} — ${c.title}`, insert: c.text, problem: c.problem, token,
      }));
    } else if (token?.kind === "mention") {
      choices = agents.filter((a) => a.username.toLowerCase().startsWith(token.query) || a.name.toLowerCase().includes(token.query))
        .map((a) => ({ label: `@${a.username} — ${a.name}`, insert: `@${a.username} `, token }));
    }
    choices = choices.slice(0, SUGGESTIONS_SHOWN);
    chosen = 0;
    menu.replaceChildren(...choices.map((choice, index) => {
      const li = document.createElement("li");
      li.textContent = choice.label;
      li.setAttribute("role", "option");
      li.dataset.index = index;
      li.classList.toggle("chosen", index === chosen);
      return li;
    }));
    menu.hidden = choices.length === 0;
  }

  function pick(index) {
    const choice = choices[index];
    if (!choice) return;
    const end = text.selectionStart;
    text.value = text.value.slice(0, choice.token.start) + choice.insert + text.value.slice(end);
    const caret = choice.token.start + choice.insert.length;
    text.setSelectionRange(caret, caret);
    menu.hidden = true;
    choices = [];
    // A canned response that cannot be filled for this customer is inserted unfilled, with the reason.
    error.textContent = choice.problem || "";
    saveDraft();
    text.focus();
  }
  menu.addEventListener("mousedown", (event) => {
    const li = event.target.closest("li");
    if (li) {
      event.preventDefault();
      pick(Number(li.dataset.index));
    }
  });

  function saveDraft() {
    if (text.value) localStorage.setItem(draftKey, text.value);
    else localStorage.removeItem(draftKey);
  }

  text.addEventListener("input", () => {
    saveDraft();
    renderMenu();
    const now = Date.now();
    if (text.value && now - lastTyping > TYPING_EVERY_MS) {
      lastTyping = now;
      socket.send({ type: "typing", conversation, private: Boolean(privateField.value) });
    }
  });

  text.addEventListener("keydown", (event) => {
    if (!menu.hidden && choices.length) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        chosen = (chosen + (event.key === "ArrowDown" ? 1 : choices.length - 1)) % choices.length;
        [...menu.children].forEach((li, i) => li.classList.toggle("chosen", i === chosen));
        return;
      }
      if (event.key === "Enter" || event.key === "Tab") {
        event.preventDefault();
        pick(chosen);
        return;
      }
      if (event.key === "Escape") {
        menu.hidden = true;
        return;
      }
    }
    // Enter sends, Shift+Enter breaks the line; never while an input method is composing.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  let sending = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (sending || !showFiles()) return;
    if (!text.value.trim() && !files.files.length && !chosenTemplate()) return;
    sending = true;
    const data = new FormData(form);
    data.delete("mode");
    const answer = await post(form.action, data);
    sending = false;
    if (!answer.ok) {
      error.textContent = answer.error;
      return;
    }
    error.textContent = "";
    text.value = "";
    files.value = "";
    fileList.textContent = "";
    for (const input of channelChoice.querySelectorAll(".template-fields input")) input.value = "";
    localStorage.removeItem(draftKey);
    onSent(answer.item);
  });
  showTemplate();
  return { replaceChannels };
}
