// Campaign composer (preview per channel, save, schedule) and the campaign page's start/pause/resume/cancel.
const csrf = document.querySelector("[name=csrfmiddlewaretoken]")?.value;

async function post(url, body) {
  const response = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json",
    "X-CSRFToken": csrf }, body: JSON.stringify(body || {}) });
  return { ok: response.ok, body: await response.json().catch(() => ({})) };
}

function showError(body) {
  document.getElementById("campaign-error").textContent = Object.values(body).flat().join(" ");
}

const composer = document.getElementById("campaign-composer");
if (composer) {
  const fields = composer.elements;
  const preview = () => {
    const kind = fields.channel.selectedOptions[0]?.dataset.kind || "";
    const box = document.getElementById("campaign-preview");
    box.replaceChildren();
    const text = document.createElement("pre");
    if (kind.includes("whatsapp")) {
      text.textContent = fields.template.value;
    } else {
      text.textContent = (fields.text.value || "").replaceAll("{{name}}", "Maria");
    }
    if (kind === "email") {
      const subject = document.createElement("strong");
      subject.textContent = fields.subject.value;
      box.append(subject);
      const frame = document.createElement("iframe");
      frame.sandbox = "";
      frame.srcdoc = (fields.html.value || "").replaceAll("{{name}}", "Maria");
      box.append(frame);
    }
    box.append(text);
  };
  composer.addEventListener("input", preview);
  preview();
  composer.addEventListener("submit", async (event) => {
    event.preventDefault();
    let template = null;
    if (fields.template.value.trim()) {
      try { template = JSON.parse(fields.template.value); } catch { showError({ template: ["JSON?"] }); return; }
    }
    const when = fields.scheduled_at.value ? new Date(fields.scheduled_at.value).toISOString() : null;
    const { ok, body } = await post(composer.dataset.save, {
      name: fields.name.value, segment: Number(fields.segment.value), channel: fields.channel.value,
      subject: fields.subject.value, text: fields.text.value, html: fields.html.value, template,
      rate_per_minute: Number(fields.rate_per_minute.value), scheduled_at: when });
    if (ok) window.location.reload(); else showError(body);
  });
}

document.getElementById("campaign-controls")?.addEventListener("click", async (event) => {
  const url = event.target.dataset.command;
  if (!url) return;
  const { ok, body } = await post(url);
  if (ok) window.location.reload(); else showError(body);
});
