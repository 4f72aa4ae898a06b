// The phone layout's customer drawer, and toasts for errors the page has no other place for.
import { strings } from "./common.js";

export function setupDrawer() {
  const workspace = document.querySelector("main.workspace");
  if (!workspace) return;
  const opener = document.querySelector("[data-drawer]");
  function toggle(open) {
    workspace.classList.toggle("drawer-open", open);
    opener?.setAttribute("aria-expanded", String(open));
    if (open) document.querySelector("#customer-panel [data-drawer-close]")?.focus();
    else opener?.focus();
  }
  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-drawer]")) toggle(!workspace.classList.contains("drawer-open"));
    else if (event.target.closest("[data-drawer-close]")) toggle(false);
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && workspace.classList.contains("drawer-open")) toggle(false);
  });
}

let region = null;

export function showToast(text, kind = "error") {
  if (!region) {
    region = document.createElement("div");
    region.className = "toasts";
    region.setAttribute("role", "alert");
    region.setAttribute("aria-live", "assertive");
    document.body.append(region);
  }
  const toast = document.createElement("div");
  toast.className = `toast toast-${kind}`;
  const message = document.createElement("p");
  message.textContent = text;
  const close = document.createElement("button");
  close.type = "button";
  close.textContent = "×";
  close.setAttribute("aria-label", strings.dismiss || "×");
  close.addEventListener("click", () => toast.remove());
  toast.append(message, close);
  region.append(toast);
  setTimeout(() => toast.remove(), 8000);
}
