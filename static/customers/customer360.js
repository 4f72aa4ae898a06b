// Erasing a customer from the console panel: confirmed, then back to the inbox (the conversation is gone).
document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!form.matches || !form.matches("form[data-erase]")) return;
  event.preventDefault();
  event.stopImmediatePropagation();
  if (!confirm(form.dataset.erase)) return;
  const answer = await fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
    headers: { "Accept": "application/json" } });
  const data = await answer.json().catch(() => ({ ok: false, error: answer.statusText }));
  if (!data.ok) {
    form.querySelector("[data-error]").textContent = data.error;
    return;
  }
  location.assign(data.next || "/");
}, true);
