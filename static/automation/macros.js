// Macro pickers: the chosen macro goes into the preview URL; in the inbox the picker follows the bulk selection.
for (const form of document.querySelectorAll("[data-macro-form]")) {
  if (form.dataset.ready) continue;
  form.dataset.ready = "1";
  const select = form.querySelector("select[name=macro]");
  form.addEventListener("submit", () => {
    form.action = form.dataset.previewUrl.replace(/\/0\/preview\/$/, `/${select.value}/preview/`);
    select.disabled = true; // the macro is in the path, not the query
    setTimeout(() => { select.disabled = false; });
  });
  if (form.dataset.bulk !== undefined) {
    // The inbox's ticked rows (the same boxes its bulk bar uses).
    const follow = () => {
      const ids = [...document.querySelectorAll("#inbox .pick:checked")].map((box) => box.value);
      form.querySelector("input[name=conversations]").value = ids.join(",");
      form.hidden = ids.length === 0;
    };
    document.getElementById("inbox")?.addEventListener("change", follow);
    follow();
  }
}
