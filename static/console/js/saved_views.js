// Saved views in the sidebar: save the filters on screen as a view, remove one; counts follow with the others'.
import { post } from "./common.js";

export function setupSavedViews() {
  const save = document.getElementById("save-view");
  save?.addEventListener("submit", async (event) => {
    event.preventDefault();
    const filters = new URLSearchParams(new FormData(document.getElementById("filters")));
    filters.delete("view");
    save.querySelector("[name=filters]").value = filters.toString();
    const answer = await post(save.action, new FormData(save));
    if (answer.ok) location.assign(answer.url);
    else save.querySelector("[data-error]").textContent = answer.error;
  });
  document.getElementById("saved-views")?.addEventListener("submit", async (event) => {
    const form = event.target.closest("[data-remove-view]");
    if (!form) return;
    event.preventDefault();
    const answer = await post(form.action, new FormData(form));
    if (answer.ok) location.assign(answer.url);
  });
}
