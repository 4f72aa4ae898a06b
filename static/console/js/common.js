// Small helpers shared by the console's modules: strings, requests, DOM insertion in order.

export const strings = JSON.parse(document.getElementById("console-strings")?.textContent || "{}");
export const me = Number(document.body.dataset.user || 0);
export const language = document.body.dataset.lang || "en";

// "%(name)s" placeholders, as in Django's translations.
export function format(text, params) {
  return (text || "").replace(/%\((\w+)\)s/g, (_, key) => (params[key] ?? ""));
}

function csrfToken() {
  const field = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (field) return field.value;
  const cookie = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
  return cookie ? decodeURIComponent(cookie.split("=")[1]) : "";
}

export async function getJSON(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
  if (!response.ok) throw new Error(`${response.status} ${url}`);
  return response.json();
}

// POST a form (FormData, or a plain object sent url-encoded) and return the JSON answer;
// {ok: false, error} on a refusal.
export async function post(url, data) {
  const body = data instanceof FormData ? data : new URLSearchParams(data || {});
  let response;
  try {
    response = await fetch(url, {
      method: "POST", body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    });
  } catch {
    failed(strings.offline);
    return { ok: false, error: strings.offline };
  }
  if (response.status === 204) return { ok: true };
  try {
    return await response.json();
  } catch {
    failed(strings.failed);
    return { ok: false, error: strings.failed };
  }
}

// A request that failed for no reason the page can show next to a control: the agent still hears of it.
function failed(text) {
  document.dispatchEvent(new CustomEvent("console:failed", { detail: text }));
}

export function element(html) {
  const template = document.createElement("template");
  template.innerHTML = html.trim();
  return template.content.firstElementChild;
}

// Insert `node` among the children of `container` that have data-sort, keeping them in ascending order.
export function insertSorted(container, node) {
  const key = node.dataset.sort;
  const next = [...container.children].find(
    (child) => child !== node && child.dataset.sort !== undefined && child.dataset.sort > key,
  );
  container.insertBefore(node, next || null);
}

// Replace the element with the same id, or insert the new one in order.
export function upsert(container, html) {
  const node = element(html);
  const existing = document.getElementById(node.id);
  if (existing) existing.replaceWith(node);
  else insertSorted(container, node);
  return node;
}

// Collect calls for a moment, then run `fn` once with everything collected.
export function batched(fn, delay = 120) {
  let pending = null;
  let items = new Set();
  return (item) => {
    if (item !== undefined) items.add(item);
    if (pending) return;
    pending = setTimeout(() => {
      const collected = [...items];
      items = new Set();
      pending = null;
      fn(collected);
    }, delay);
  };
}

const relative = new Intl.RelativeTimeFormat(language, { style: "short", numeric: "always" });

export function refreshRelativeTimes(root = document) {
  for (const node of root.querySelectorAll(".waiting[data-since]")) {
    const seconds = Math.max(0, (Date.now() - Date.parse(node.dataset.since)) / 1000);
    let text;
    if (seconds < 3600) text = relative.format(-Math.floor(seconds / 60), "minute");
    else if (seconds < 172800) text = relative.format(-Math.floor(seconds / 3600), "hour");
    else text = relative.format(-Math.floor(seconds / 86400), "day");
    node.textContent = text;
  }
}
