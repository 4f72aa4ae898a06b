// The report filters default to the browser's time zone when the agent has not chosen one.
const zone = document.querySelector("[data-viewer-tz]");
if (zone && !zone.value) {
  zone.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}
