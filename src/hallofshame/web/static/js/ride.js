// A ride's page: its figures for the period, stay or go (the chance a ride down is back
// soon, from its own outages), a status timeline with the posted wait, and its outages
// with their true start, end and duration, day by day and not cut at midnight.

import { getJSON } from "./api.js";
import { chartBox, loadPlotly } from "./charts.js";
import { bindControls, reflectControls, scheduleRefresh, showFreshness } from "./controls.js";
import { clockTime, describeWindow, fmt } from "./format.js";
import { bindSearch } from "./search.js";
import { breakdownList, stayOrGo } from "./stay.js";
import { mountStrip } from "./strip.js";
import { linkWith, onStateChange, periodParams } from "./state.js";
import { localStamp } from "./timeline.js";
import { el, empty, fill, panel, statusBadge, table, tierBadge } from "./ui.js";

const DEFAULTS = { period: "today" };
const rideId = Number(document.body.dataset.entityId);
let generation = 0;

const fig = (key, text) => el("span", { "data-figure": key }, text);

function head(ride, state, tz) {
  const now = ride.current_status || {};
  document.title = `${ride.name} · Theme Park Hall of Shame`;
  document.getElementById("entity-head").replaceChildren(
    el("h1", { class: "page-title" }, ride.name, " ", tierBadge(ride.tier)),
    el("p", { class: "muted" },
      el("a", { href: linkWith(`/parks/${ride.park_id}`, state) }, ride.park_name),
      [ride.land, ride.category, `tier weight ${ride.weight}`].filter(Boolean).map((t) => ` · ${t}`).join("")),
    el("p", {}, "Now: ", statusBadge(now.state),
      now.wait_minutes !== null && now.wait_minutes !== undefined ? ` · posted wait ${now.wait_minutes} min` : "",
      now.at ? ` · as of ${clockTime(now.at, tz, { date: true })}` : ""));
}

function summary(s) {
  return el("div", { class: "panels" },
    panel("Downtime (h)", fig("downtime_hours", fmt.hours(s.downtime_hours))),
    panel("Uptime", fig("uptime_percentage", fmt.percent(s.uptime_percentage))),
    panel("Breakdowns", fig("breakdowns", fmt.count(s.breakdowns))),
    panel("Longest outage (min)", fig("longest_outage_minutes", fmt.minutes(s.longest_outage_minutes))),
    panel("Average wait (min)", fig("avg_wait_minutes", fmt.minutes(s.avg_wait_minutes))),
    panel("Peak wait (min)", fig("peak_wait_minutes", fmt.minutes(s.peak_wait_minutes))));
}

// Bands: each bucket's observed time split into up / down / other, stacked, with the
// average posted wait over them. The shares are the API's.
async function timeline(target, series, tz) {
  const seen = series.filter((b) => b.status && (b.status.up_share !== null || b.status.down_share !== null));
  if (!seen.length) return empty(target, "No observation of this ride in this period.");
  const Plotly = await loadPlotly();
  const x = series.map((b) => localStamp(b.local_start));
  const band = (name, key, colour) => ({ type: "bar", name, x, y: series.map((b) => (b.status ? b.status[key] : null)), marker: { color: colour }, hovertemplate: `%{x}<br>${name}: %{y}<extra></extra>` });
  const box = chartBox("Status bands (share of each bucket up, down or other) with the average posted wait");
  target.replaceChildren(box);
  await Plotly.newPlot(box, [
    band("Up", "up_share", "#0072B2"),
    band("Down", "down_share", "#D55E00"),
    band("Other (closed, unknown)", "other_share", "#BBBBBB"),
    { type: "scatter", mode: "lines+markers", name: "Average posted wait (min)", x, y: series.map((b) => b.avg_wait_minutes), yaxis: "y2", line: { color: "#000000", width: 2 }, marker: { size: 4 }, connectgaps: false },
  ], {
    barmode: "stack", bargap: 0.05,
    margin: { l: 48, r: 48, t: 8, b: 40 }, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
    font: { family: "system-ui, sans-serif", size: 12, color: "#1f2430" },
    legend: { orientation: "h", y: -0.25 },
    xaxis: { type: "date", title: { text: `Local time (${tz})` } },
    yaxis: { title: { text: "share of time" }, range: [0, 1] },
    yaxis2: { title: { text: "minutes" }, overlaying: "y", side: "right", rangemode: "tozero" },
  }, { displayModeBar: false, responsive: true });
}

function episodes(target, list, tz) {
  if (!list.length) return empty(target, "No outage in this period.");
  target.replaceChildren(table({
    showCaption: true,
    caption: `Outages (times in ${tz})`,
    id: "episode-table",
    rowHeader: "start",
    columns: [
      { key: "start", label: "Went down", render: (e) => clockTime(e.start, tz, { date: true, zoneName: false }) },
      { key: "end", label: "Back up (or day ended)", render: (e) => clockTime(e.end, tz, { date: true, zoneName: false }) },
      { key: "duration_minutes", label: "Duration (min)", numeric: true, render: (e) => fmt.minutes(e.duration_minutes) },
    ],
    rows: list,
  }));
}

function card(id, title) {
  const body = el("div", { class: "block-body", id: `${id}-body` });
  return { node: el("section", { class: "card", id, "aria-labelledby": `${id}-title` }, el("h2", { id: `${id}-title` }, title), body), body };
}

function render() {
  const state = reflectControls(DEFAULTS);
  const mine = ++generation;
  const ctx = { isCurrent: () => mine === generation };
  const params = periodParams(state);
  const root = document.getElementById("ride-body");
  const sum = card("ride-summary", "Summary");
  const bands = card("ride-timeline", "Status through the period");
  const outages = card("ride-episodes", "Outages");
  const stay = card("ride-stay", "Stay or go");
  const breakdowns = card("ride-breakdowns", "Breakdowns by severity");
  root.replaceChildren(sum.node, stay.node, bands.node, outages.node, breakdowns.node);
  document.getElementById("back-link").href = `/?${new URLSearchParams(params)}`;
  const query = getJSON(`/rides/${rideId}/details`, params);
  fill(sum.body, "the ride", () => query, (body) => {
    head(body.data.ride, state, body.meta.timezone || "UTC");
    sum.body.replaceChildren(el("p", { class: "muted" }, describeWindow(body.meta)), summary(body.data.summary));
  }, ctx);
  fill(bands.body, "the status timeline", () => query, (body) => timeline(bands.body, body.data.series, body.meta.timezone || "UTC"), ctx);
  fill(outages.body, "the outages", () => query, (body) => episodes(outages.body, body.data.episodes, body.meta.timezone || "UTC"), ctx);
  fill(stay.body, "the stay-or-go figures", () => getJSON(`/rides/${rideId}/recovery`), (body) => stayOrGo(stay.body, rideId, body), ctx);
  fill(breakdowns.body, "the breakdowns", () => getJSON(`/rides/${rideId}/breakdowns`, params), (body) => breakdownList(breakdowns.body, body), ctx);
  scheduleRefresh(state.period === "live" || state.period === "today", render);
}

bindControls(DEFAULTS);
bindSearch();
onStateChange(render);
showFreshness().then(render);
mountStrip("rides", rideId);
