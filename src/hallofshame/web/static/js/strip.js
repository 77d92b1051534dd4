// The uptime strip: one cell per local day of the last 90, Statuspage style. Each cell
// is a link to that day's page (start=D&end=D), coloured by the API's status for the
// day; its title and accessible name carry the day's figures as the API sent them.

import { getJSON } from "./api.js";
import { fmt } from "./format.js";
import { el, fill } from "./ui.js";

export const STRIP_DAYS = 90;

export const DAY_STATUS_NAMES = {
  good: "Good",
  fair: "Fair",
  poor: "Poor",
  bad: "Bad",
  closed: "Closed",
  no_data: "No data",
};

const plural = (n, word) => `${fmt.count(n)} ${word}${n === 1 ? "" : "s"}`;

// What a day says in words: its figures, or why it has none.
export function dayText(kind, day) {
  const status = DAY_STATUS_NAMES[day.status] || day.status;
  if (day.status === "no_data") return `${day.date}: no data`;
  if (day.status === "closed") return `${day.date}: ${kind === "parks" ? "park closed" : "closed all day"}`;
  const figures = kind === "parks"
    ? [`shame score ${fmt.score(day.shame_score)}`, `uptime ${fmt.percent(day.uptime_percentage)}`, `${fmt.hours(day.downtime_hours)} ride-hours down`]
    : [`uptime ${fmt.percent(day.uptime_percentage)}`, `${fmt.hours(day.downtime_hours)} h down`, plural(day.breakdowns, "breakdown")];
  return `${day.date}: ${figures.join(", ")} (${status.toLowerCase()})`;
}

function legend() {
  return el("ul", { class: "strip-legend", "aria-label": "Colours" },
    Object.entries(DAY_STATUS_NAMES).map(([key, name]) =>
      el("li", {}, el("span", { class: `strip-key day-${key}`, "aria-hidden": "true" }), name)));
}

export function drawStrip(target, kind, id, body) {
  const days = body.data;
  const cells = days.map((day) =>
    el("li", {}, el("a", {
      class: `day day-${day.status}`,
      href: `/${kind}/${id}?start=${day.date}&end=${day.date}`,
      title: dayText(kind, day),
      "aria-label": dayText(kind, day),
      "data-date": day.date,
      "data-status": day.status,
    })));
  const what = kind === "parks" ? "shame score" : "uptime";
  target.replaceChildren(
    el("p", { class: "muted" }, `Each day's ${what}, ${body.meta.start_date} → ${body.meta.end_date} (local days, ${body.meta.timezone}). Grey: closed or no data. Pick a day for its details.`),
    el("ol", { class: "strip", "aria-label": `Last ${days.length} days, oldest first` }, cells),
    el("p", { class: "strip-ends muted", "aria-hidden": "true" }, el("span", {}, `${days.length - 1} days ago`), el("span", {}, "today")),
    legend());
}

// Mount the strip of a park ("parks") or a ride ("rides") into #uptime-strip-body.
export function mountStrip(kind, id) {
  const target = document.getElementById("uptime-strip-body");
  if (!target) return;
  fill(target, "the last 90 days", () => getJSON(`/${kind}/${id}/days`, { days: STRIP_DAYS }),
    (body) => drawStrip(target, kind, id, body));
}
