// A park's page: its score and why, the score through the period with the weather,
// rides × time, the state now, and any window the reader picks.

import { getJSON } from "./api.js";
import { chartBox, heatmap, lineChart } from "./charts.js";
import { bindControls, reflectControls, scheduleRefresh, showFreshness } from "./controls.js";
import { bindExplainDialog, explanation } from "./explain.js";
import { clockTime, describeWindow, fmt } from "./format.js";
import { fidelityMark } from "./fidelity.js";
import { customWindow } from "./park_window.js";
import { bindSearch } from "./search.js";
import { mountStrip } from "./strip.js";
import { onStateChange, periodParams } from "./state.js";
import { localStamp, wallClockOf } from "./timeline.js";
import { el, empty, fill, openBadge, panel } from "./ui.js";

const DEFAULTS = { period: "today" };
const parkId = Number(document.body.dataset.entityId);
let generation = 0;

function card(id, title) {
  const body = el("div", { class: "block-body", id: `${id}-body` });
  return { node: el("section", { class: "card", id, "aria-labelledby": `${id}-title` }, el("h2", { id: `${id}-title` }, title), body), body };
}

const fig = (key, text) => el("span", { "data-figure": key }, text);

function headline(d) {
  return el("div", { class: "panels" },
    panel("Shame score", fig("shame_score", fmt.score(d.shame_score)), fidelityMark(d.park)),
    panel("Ride-hours down", fig("total_downtime_hours", fmt.hours(d.total_downtime_hours))),
    panel("Uptime", fig("uptime_percentage", fmt.percent(d.uptime_percentage))),
    panel("Rides down", fig("rides_down", fmt.count(d.rides_down))),
    panel("Operating hours", fig("operating_hours", fmt.hours(d.operating_hours))),
    panel("Average wait (min)", fig("avg_wait_minutes", fmt.minutes(d.avg_wait_minutes))),
    panel("Peak wait (min)", fig("peak_wait_minutes", fmt.minutes(d.peak_wait_minutes))));
}

function head(park) {
  const status = park.current_status || {};
  const counts = status.rides || {};
  document.title = `${park.name} · Theme Park Hall of Shame`;
  document.getElementById("entity-head").replaceChildren(
    el("h1", { class: "page-title" }, park.name),
    el("p", { class: "muted" }, [park.location, park.operator, `times in ${park.timezone}`].filter(Boolean).join(" · ")),
    el("p", { class: "muted" }, park.reports_down
      ? "This park's feed tells breakdowns (DOWN) from planned closures (CLOSED)."
      : "This park's feed only says open or closed: a ride closed after operating today counts as down."));
  return el("div", {},
    el("p", {}, "Park now: ", openBadge(status.park_is_open),
      status.last_cycle_at ? ` · last cycle ${clockTime(status.last_cycle_at, park.timezone, { date: true })}` : " · no live data in the last 30 minutes"),
    status.has_live_data === false
      ? el("p", { class: "state state-empty", "data-no-live": "" }, "No live data: the park has not been polled in the last 30 minutes, so its rides' state now is unknown.")
      : el("div", { class: "panels panels-now" },
        panel("Operating", fig("OPERATING", fmt.count(counts.OPERATING))),
        panel("Down", fig("DOWN", fmt.count(counts.DOWN))),
        panel("Closed", fig("CLOSED", fmt.count(counts.CLOSED))),
        panel("Refurbishment", fig("REFURBISHMENT", fmt.count(counts.REFURBISHMENT))),
        panel("Unknown", fig("UNKNOWN", fmt.count(counts.UNKNOWN)))),
    schedule(park));
}

// Today's published windows; a park without a schedule is judged by its attractions.
function schedule(park) {
  const today = park.schedule;
  if (today === null || today === undefined) return el("p", { class: "muted" }, "No published schedule for today: the park counts as open while enough attractions operate.");
  if (!today.length) return el("p", { class: "muted" }, "Closed today (no operating hours published).");
  return el("div", {}, el("h3", {}, "Today's schedule"),
    el("ul", {}, today.map((w) => el("li", {}, `${w.type || "Open"}: ${clockTime(w.opening || w.opens_at, park.timezone)} – ${clockTime(w.closing || w.closes_at, park.timezone)}`))));
}

async function scoreChart(target, series, tz, meta) {
  if (!series.length) return empty(target, "No data for this period.");
  let weather = null;
  try {
    weather = await getJSON(`/weather/${parkId}`, { start: meta.start_date, end: meta.end_date });
  } catch {
    weather = null; // the score chart stands on its own
  }
  const x = series.map((b) => localStamp(b.local_start));
  const lines = [{ name: "Shame score", values: series.map((b) => b.shame_score), colour: "#0072B2" }];
  const points = weather ? weather.data.observations.filter((o) => o.temperature_c !== null) : [];
  if (points.length) {
    lines.push({ name: "Temperature (°C)", x: points.map((o) => wallClockOf(o.at, tz)), values: points.map((o) => o.temperature_c), axis: 2, axisTitle: "°C / mm", colour: "#E69F00" });
    lines.push({ name: "Rain (mm)", x: points.map((o) => wallClockOf(o.at, tz)), values: points.map((o) => o.precipitation_mm), axis: 2, bar: true, colour: "#56B4E9" });
  }
  const box = chartBox(`Shame score through the period${points.length ? ", with temperature and rain" : ""}`);
  target.replaceChildren(box, ...(points.length ? [] : [el("p", { class: "muted" }, "No weather recorded for this window.")]));
  await lineChart(box, { x, series: lines, yTitle: "shame score", xTitle: `Local time (${tz})`, xType: "date" });
}

function render() {
  const state = reflectControls(DEFAULTS);
  const mine = ++generation;
  const ctx = { isCurrent: () => mine === generation };
  const params = periodParams(state);
  const root = document.getElementById("park-body");
  const now = card("park-now", "Right now");
  const score = card("park-score", "Shame score");
  const through = card("park-series", "Score through the period");
  const heat = card("park-heatmap", "Rides × time: downtime");
  const custom = card("park-window", "Any window");
  root.replaceChildren(now.node, score.node, through.node, heat.node, custom.node);
  document.getElementById("back-link").href = `/?${new URLSearchParams(params)}`;

  const parkQuery = getJSON(`/parks/${parkId}`);
  fill(now.body, "the park", () => parkQuery, (body) => now.body.replaceChildren(head(body.data)), ctx);
  const detailQuery = getJSON(`/parks/${parkId}/details`, params);
  fill(score.body, "the score", () => detailQuery, (body) => {
    score.body.replaceChildren(el("p", { class: "muted" }, describeWindow(body.meta)), headline(body.data), explanation(body, state.period));
  }, ctx);
  fill(through.body, "the score through the period", () => detailQuery,
    (body) => scoreChart(through.body, body.data.series, body.data.park.timezone, body.meta), ctx);
  fill(heat.body, "the rides × time heatmap", () => getJSON(`/parks/${parkId}/rides/charts`, { ...params, type: "downtime" }), async (body) => {
    const d = body.data;
    if (!d.datasets || !d.datasets.length) return empty(heat.body, "No ride was down in this period.");
    const box = chartBox(`Downtime by ride and time, ${d.datasets.length} rides`);
    heat.body.replaceChildren(box);
    await heatmap(box, { x: d.labels, y: d.datasets.map((s) => s.label), z: d.datasets.map((s) => s.data), unit: "hours", title: "Local time" });
  }, ctx);
  customWindow(custom.body, parkId, detailQuery, ctx, DEFAULTS);
  scheduleRefresh(state.period === "live" || state.period === "today", render);
}

bindControls(DEFAULTS);
bindSearch();
bindExplainDialog();
onStateChange(render);
showFreshness().then(render);
mountStrip("parks", parkId);
