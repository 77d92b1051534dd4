// Turning the API's instants into each park's wall clock for chart axes. Plotly has
// no time zones, so it is given local wall-clock strings ("2026-03-17 11:00").

export function wallClockOf(iso, timeZone) {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  }).formatToParts(new Date(iso));
  const get = (type) => parts.find((p) => p.type === type).value;
  return `${get("year")}-${get("month")}-${get("day")} ${get("hour")}:${get("minute")}`;
}

// "2026-03-17T11:00:00-04:00" (the API's local_start) → "2026-03-17 11:00".
export function localStamp(localIso) {
  return localIso.slice(0, 16).replace("T", " ");
}
