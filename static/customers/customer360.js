// The Customer 360 sections of the customer panel: fetched after the page, and again whenever the panel is
// re-rendered (each sync replaces it); older timeline entries a page at a time; erasing a customer from
// there, confirmed, then back to the inbox.
async function fill(slot) {
  slot.dataset.loading = "1";
  const answer = await fetch(slot.dataset.customer360Src, { credentials: "same-origin" });
  if (answer.ok) slot.innerHTML = await answer.text();
  slot.dataset.loaded = "1";
}

function fillAll() {
  document.querySelectorAll("[data-customer360-src]:not([data-loading])").forEach(fill);
}

new MutationObserver(fillAll).observe(document.body, { childList: true, subtree: true });
fillAll();

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

document.addEventListener("click", async (event) => {
  const button = event.target.closest ? event.target.closest("button[data-timeline-more]") : null;
  if (!button) return;
  const list = button.closest("[data-fact=customer360]").querySelector("[data-fact=customer-timeline]");
  const error = button.parentElement.querySelector("[data-timeline-error]");
  button.disabled = true;
  error.textContent = "";
  let data = null;
  try {
    const answer = await fetch(button.dataset.timelineMore, { credentials: "same-origin",
      headers: { "Accept": "application/json" } });
    data = await answer.json();
  } catch (failure) {
    data = null;
  }
  if (!data || !data.ok) {
    error.textContent = (data && data.error) || button.dataset.failed;
    button.disabled = false;
    return;
  }
  list.insertAdjacentHTML("beforeend", data.html);
  if (data.more) {
    button.dataset.timelineMore = data.more;
    button.disabled = false;
  } else {
    // Nothing older: the button goes, and the keyboard's focus stays in the timeline.
    button.parentElement.remove();
    list.focus();
  }
});
