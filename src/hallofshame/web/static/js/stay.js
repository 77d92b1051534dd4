// "Stay or go" on a ride's page: for a rider whose ride is down, the chance it is back
// within 30 minutes, from the ride's own outages (METRICS.md §8). Every figure is the
// API's /recovery answer for the minutes chosen; without enough history the page says
// so, with the API's reason, and shows no chance at all.

import { getJSON } from "./api.js";
import { clockTime, fmt } from "./format.js";
import { stepChart } from "./stepchart.js";
import { el, empty, table } from "./ui.js";

const QUICK = [0, 10, 20, 30, 60, 90];
const KIND_NAMES = { breakdown: "breakdowns", opening_delay: "opening delays" };
const SEVERITY_NAMES = { minor: "Minor (< 15 min)", moderate: "Moderate (15–60 min)", major: "Major (≥ 60 min)" };
const OUTCOME_NAMES = { reopened: "Reopened", park_closed: "Park closed first", ongoing: "Still down" };

const fig = (key, text) => el("strong", { "data-figure": key }, text);

function result(data) {
  const kinds = KIND_NAMES[data.kind] || data.kind;
  const basis = el("p", { class: "muted", id: "stay-basis" },
    "Rests on ", fig("at_risk", fmt.count(data.at_risk)), ` of the ride's `,
    fig("breakdowns_considered", fmt.count(data.breakdowns_considered)),
    ` ${kinds} of the last 90 days: those that lasted at least ${fmt.minutes(data.down_for_minutes)} min.`);
  if (!data.enough_history || data.chance_back_within_percentage === null) {
    return el("div", { class: "stay-result stay-unknown", "data-state": "not-enough" },
      el("p", {}, el("strong", {}, "Not enough history to say. "), data.reason || "Too few outages of this kind lasted this long."),
      basis);
  }
  const median = data.median_remaining_minutes === null
    ? "not reached: fewer than half of these outages were seen to end"
    : `${fmt.minutes(data.median_remaining_minutes)} min`;
  return el("div", { class: "stay-result", "data-state": "answer" },
    el("p", { class: "stay-chance" }, "Chance it is back within ", `${fmt.minutes(data.within_minutes)} min: `,
      fig("chance", fmt.percent(data.chance_back_within_percentage))),
    el("p", {}, "Median time still to wait: ", fig("median", median)),
    basis);
}

/** Draw the panel from the default answer (down now: at its downtime so far). */
export function stayOrGo(target, rideId, first) {
  const start = first.data;
  const downNow = start.down_for_minutes > 0;
  const maxMinutes = Math.max(180, Math.ceil(start.down_for_minutes / 30) * 30);
  const slider = el("input", {
    type: "range", id: "stay-down-for", min: 0, max: maxMinutes, step: 1,
    value: Math.round(start.down_for_minutes), "aria-describedby": "stay-down-for-value",
  });
  const shown = el("output", { id: "stay-down-for-value", for: "stay-down-for" }, `${fmt.minutes(start.down_for_minutes)} min`);
  const answer = el("div", { id: "stay-answer", "aria-live": "polite" });
  const chart = el("figure", { class: "stay-chart", id: "stay-chart" });
  let asked = 0;
  let timer = null;

  function draw(data) {
    answer.replaceChildren(result(data));
    const kinds = KIND_NAMES[data.kind] || data.kind;
    const label = `Share of the ride's ${kinds} of the last 90 days still down after each duration, ${data.curve.length} steps`;
    if (!data.curve.length) {
      chart.replaceChildren(el("figcaption", { class: "muted" }, `No ${kinds} of this ride was seen to end in the last 90 days, so there is no curve.`));
      return;
    }
    chart.replaceChildren(stepChart(data.curve, { marker: data.down_for_minutes, label }),
      el("figcaption", { class: "muted" }, `Recovery curve: share of ${kinds} still down after so many minutes (Kaplan–Meier, outages cut by the closing count as unfinished). The dashed line is the time chosen above.`));
  }

  async function ask(minutes) {
    const mine = ++asked;
    shown.textContent = `${fmt.minutes(minutes)} min`;
    answer.setAttribute("aria-busy", "true");
    try {
      const body = await getJSON(`/rides/${rideId}/recovery`, { down_for: minutes, kind: start.kind });
      if (mine !== asked) return;
      answer.removeAttribute("aria-busy");
      draw(body.data);
    } catch (err) {
      if (mine !== asked) return;
      answer.removeAttribute("aria-busy");
      answer.replaceChildren(el("p", { role: "alert" }, `Could not load the chance: ${err.message}.`));
    }
  }

  slider.addEventListener("input", () => {
    clearTimeout(timer);
    const minutes = Number(slider.value);
    shown.textContent = `${fmt.minutes(minutes)} min`;
    timer = setTimeout(() => ask(minutes), 120);
  });
  const quick = el("div", { class: "stay-quick", role: "group", "aria-label": "Minutes down so far" },
    QUICK.map((m) => el("button", {
      type: "button", "data-minutes": m,
      onclick: () => { slider.value = String(m); ask(m); },
    }, `${m} min`)));
  const kinds = KIND_NAMES[start.kind] || start.kind;
  target.replaceChildren(
    el("p", {}, downNow
      ? el("span", { id: "stay-now" }, el("strong", {}, `Down now for ${fmt.minutes(start.down_for_minutes)} min`), ` (its outage is one of the ride's ${kinds}).`)
      : `If this ride goes down: pick how long it has been down, and see its chance to be back soon from its own ${kinds}.`),
    el("div", { class: "stay-controls" },
      el("label", { for: "stay-down-for" }, "Down for so far (minutes)"),
      el("div", { class: "stay-slider" }, slider, shown),
      quick),
    answer,
    chart);
  draw(start);
}

/** The ride's outages of the period, newest first, with their kind and severity. */
export function breakdownList(target, body) {
  const tz = body.meta.timezone || "UTC";
  if (!body.data.length) return empty(target, "No outage started in this period.");
  const bySeverity = body.meta.by_severity || {};
  target.replaceChildren(
    el("p", { class: "muted", id: "breakdowns-summary" },
      `${fmt.count(body.meta.count)} outages, ${fmt.minutes(body.meta.total_downtime_minutes)} min down in all: `,
      Object.entries(SEVERITY_NAMES).map(([key, name]) => `${bySeverity[key] || 0} ${name.split(" ")[0].toLowerCase()}`).join(", "), "."),
    table({
      showCaption: true,
      caption: `Outages not cut at midnight (times in ${tz})`,
      id: "breakdown-table",
      rowHeader: "started_at",
      columns: [
        { key: "started_at", label: "Went down", render: (o) => clockTime(o.started_at, tz, { date: true, zoneName: false }) },
        { key: "duration_minutes", label: "Min", numeric: true, render: (o) => fmt.minutes(o.duration_minutes) },
        { key: "severity", label: "Severity", render: (o) => el("span", { class: `severity severity-${o.severity}` }, SEVERITY_NAMES[o.severity] || o.severity) },
        { key: "kind", label: "Kind", small: false, render: (o) => (o.kind === "opening_delay" ? "Opening delay" : "Breakdown") },
        { key: "outcome", label: "Ended by", small: false, render: (o) => OUTCOME_NAMES[o.outcome] || o.outcome },
      ],
      rows: body.data,
    }));
}
