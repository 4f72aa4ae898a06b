// Campaign composer (the message as each language's recipients read it, save, schedule or repeat), the
// campaign page's start/pause/resume/cancel (confirmed first) and its schedule form.
const csrf = document.querySelector("[name=csrfmiddlewaretoken]")?.value;

async function send(url, body, method = "POST") {
  const response = await fetch(url, { method, headers: { "Content-Type": "application/json",
    "X-CSRFToken": csrf }, body: JSON.stringify(body || {}) });
  return { ok: response.ok, body: await response.json().catch(() => ({})) };
}

function showError(body) {
  document.getElementById("campaign-error").textContent = Object.values(body).flat().join(" ");
}

// The repeat fields of a form: {repeat, repeat_weekdays, repeat_time, repeat_until, time_zone}.
function repeatFields(form) {
  const fields = form.elements;
  const repeat = fields.repeat.value;
  const weekly = form.querySelector("[data-repeat-weekly]");
  if (weekly) weekly.hidden = repeat !== "weekly";
  return { repeat,
    repeat_weekdays: [...form.querySelectorAll("[name=repeat_weekdays]:checked")].map((box) => Number(box.value)),
    repeat_time: fields.repeat_time.value || null, repeat_until: fields.repeat_until.value || null,
    time_zone: fields.time_zone.value };
}

function parsedTemplate(fields) {
  if (!fields.template.value.trim()) return null;
  return JSON.parse(fields.template.value);
}

const composer = document.getElementById("campaign-composer");
if (composer) {
  const fields = composer.elements;
  let pending;
  const preview = () => {
    repeatFields(composer);
    clearTimeout(pending);
    pending = setTimeout(async () => {
      let template;
      try { template = parsedTemplate(fields); } catch { showError({ template: ["JSON?"] }); return; }
      const { ok, body } = await send(composer.dataset.preview, { channel: fields.channel.value,
        segment: Number(fields.segment.value) || null, text: fields.text.value, subject: fields.subject.value,
        html: fields.html.value, template });
      document.getElementById("campaign-error").textContent = "";
      if (!ok) { showError(body); return; }
      document.getElementById("campaign-preview-who").textContent = body.customer || "";
      for (const [language, message] of Object.entries(body.languages)) {
        const section = composer.querySelector(`[data-language="${language}"]`);
        if (!section) continue;
        section.querySelector("[data-part=subject]").textContent = message.subject;
        section.querySelector("[data-part=text]").textContent = message.text;
        const frame = section.querySelector("[data-part=html]");
        frame.hidden = !message.html;
        frame.srcdoc = message.html;
      }
    }, 300);
  };
  composer.addEventListener("input", preview);
  preview();
  composer.addEventListener("submit", async (event) => {
    event.preventDefault();
    let template;
    try { template = parsedTemplate(fields); } catch { showError({ template: ["JSON?"] }); return; }
    const when = fields.scheduled_at.value ? new Date(fields.scheduled_at.value).toISOString() : null;
    const repeat = repeatFields(composer);
    if ((when || repeat.repeat) && !window.confirm(composer.dataset.confirmSchedule)) return;
    const { ok, body } = await send(composer.dataset.save, {
      name: fields.name.value, segment: Number(fields.segment.value), channel: fields.channel.value,
      subject: fields.subject.value, text: fields.text.value, html: fields.html.value, template,
      rate_per_minute: Number(fields.rate_per_minute.value), scheduled_at: when, ...repeat });
    if (ok) window.location.assign(`${window.location.pathname}${body.id}/`); else showError(body);
  });
}

document.getElementById("campaign-controls")?.addEventListener("click", async (event) => {
  const url = event.target.dataset.command;
  if (!url) return;
  if (event.target.dataset.confirm && !window.confirm(event.target.dataset.confirm)) return;
  const { ok, body } = await send(url);
  if (ok) window.location.reload(); else showError(body);
});

const scheduleForm = document.getElementById("campaign-schedule");
if (scheduleForm) {
  repeatFields(scheduleForm);
  scheduleForm.addEventListener("input", () => repeatFields(scheduleForm));
  scheduleForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const { ok, body } = await send(scheduleForm.dataset.save, repeatFields(scheduleForm), "PATCH");
    if (ok) window.location.reload(); else showError(body);
  });
}
