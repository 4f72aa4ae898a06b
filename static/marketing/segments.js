// Segment builder: rows like a filter builder (or JSON for nested groups), a live count from segments/preview.
const form = document.getElementById("segment-builder");
const rows = document.getElementById("segment-rows");
const json = form.elements.definition;
const csrf = form.elements.csrfmiddlewaretoken.value;

function leaf(field, value, count) {
  switch (field) {
    case "stage": return { stage: [value] };
    case "event": return { event: value, count: { gte: Number(count) || 1 }, within_days: 7 };
    case "orders": return { orders: { count: { gte: Number(value) || 1 } } };
    case "consent": return { consent: { channel: value, purpose: "marketing" } };
    case "last_contact": return { last_contact: { within_days: Number(value) || 1 } };
    default: return { [field]: value };
  }
}

function fromRows() {
  const leaves = [...rows.children].map((row) => leaf(row.querySelector("[name=field]").value,
    row.querySelector("[name=value]").value.trim(), row.querySelector("[name=count]").value))
    .filter((node) => Object.values(node)[0] !== "");
  return leaves.length ? { [form.elements.join.value]: leaves } : null;
}

function definition() {
  if (json.value.trim()) {
    try { return JSON.parse(json.value); } catch { return undefined; }
  }
  return fromRows();
}

async function post(url, body) {
  const response = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json",
    "X-CSRFToken": csrf }, body: JSON.stringify(body) });
  return { ok: response.ok, body: await response.json().catch(() => ({})) };
}

function showError(body) {
  document.getElementById("segment-error").textContent = Object.values(body).flat().join(" ");
}

let pending;
function refresh() {
  clearTimeout(pending);
  pending = setTimeout(async () => {
    const tree = definition();
    document.getElementById("segment-error").textContent = "";
    if (tree === undefined) { showError({ definition: ["JSON?"] }); return; }
    if (!tree) { document.getElementById("segment-count").textContent = "–"; return; }
    const { ok, body } = await post(form.dataset.preview, { definition: tree });
    if (!ok) { showError(body); return; }
    document.getElementById("segment-count").textContent = body.count;
    const sample = document.getElementById("segment-sample");
    sample.replaceChildren(...body.sample.map((customer) => {
      const item = document.createElement("li");
      item.textContent = customer.name || `#${customer.id}`;
      return item;
    }));
  }, 300);
}

document.getElementById("add-row").addEventListener("click", () => {
  rows.append(document.getElementById("segment-row").content.cloneNode(true));
});
rows.addEventListener("click", (event) => {
  if (event.target.matches("[data-remove]")) { event.target.closest("li").remove(); refresh(); }
});
form.addEventListener("input", refresh);
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const { ok, body } = await post(form.dataset.save, { name: form.elements.name.value,
    kind: form.elements.kind.value, definition: definition() || {} });
  if (ok) window.location.reload(); else showError(body);
});
