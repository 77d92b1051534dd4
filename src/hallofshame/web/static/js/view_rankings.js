// The downtime and wait-time views of the Hall of Shame: status panels and the park
// and ride rankings, sorted by the API (sort_by), never re-sorted here.

import { getJSON } from "./api.js";
import { liveDataKnown } from "./controls.js";
import { openExplanation } from "./explain.js";
import { fidelityNote, withFidelity } from "./fidelity.js";
import { describeWindow, fmt } from "./format.js";
import { linkWith, periodParams, writeState } from "./state.js";
import { el, empty, fill, openBadge, panel, scoreBadge, statusBadge, table, tierBadge } from "./ui.js";

const NOW_PERIODS = new Set(["live", "today"]);

function block(id, title) {
  const body = el("div", { class: "block-body", id: `${id}-body` });
  return { node: el("section", { class: "card", id, "aria-labelledby": `${id}-title` }, el("h2", { id: `${id}-title` }, title), body), body };
}

function parkLink(id, name, state) {
  return el("a", { href: linkWith(`/parks/${id}`, state) }, name);
}

function rideLink(id, name, state) {
  return el("a", { href: linkWith(`/rides/${id}`, state) }, name);
}

// What the page says instead of figures when no park was polled in the last 30 minutes.
const NO_LIVE = "No live data: no park has been polled in the last 30 minutes, so nothing is known about right now.";

function panels(target, summary, counts, period) {
  if (liveDataKnown() === false) {
    // Zeros would read as "nothing is down"; the truth is that nothing is known.
    const past = el("p", { class: "state state-empty", "data-no-live": "" }, NO_LIVE);
    if (period === "live") return target.replaceChildren(past, el("p", { class: "muted" }, "Pick another period for figures of the past."));
    return target.replaceChildren(periodPanels(summary, period), past);
  }
  const now = counts ? counts.data : null;
  target.replaceChildren(
    periodPanels(summary, period),
    now
      ? el("div", { class: "panels panels-now", "aria-label": "Attractions right now" },
          panel("Operating now", fmt.count(now.OPERATING)),
          panel("Down now", fmt.count(now.DOWN)),
          panel("Closed now", fmt.count(now.CLOSED)),
          panel("Refurbishment", fmt.count(now.REFURBISHMENT)),
          panel("In closed parks", fmt.count(now.PARK_CLOSED)))
      : el("p", { class: "muted" }, "The live attraction counts are not available."),
  );
}

function periodPanels(summary, period) {
  const inPeriod = period === "live" ? "now" : "in this period";
  return (
    el("div", { class: "panels" },
      panel("Parks tracked", fmt.count(summary.parks_tracked)),
      panel("Parks open", fmt.count(summary.parks_open), inPeriod),
      panel("Rides operating", fmt.count(summary.rides_operating), inPeriod),
      panel("Rides down", fmt.count(summary.rides_down), inPeriod),
      panel("Ride-hours down", fmt.hours(summary.total_downtime_hours), period === "live" ? "today" : inPeriod),
    )
  );
}

export function downtimeView(root, state, ctx) {
  const head = block("status", "At a glance");
  const parks = block("park-rankings", "Parks ranked by shame score");
  const rides = block("ride-rankings", "Rides ranked by downtime");
  root.replaceChildren(head.node, parks.node, rides.node);
  const params = { ...periodParams(state), filter: state.filter };
  const parkSort = state.park_sort || "shame_score";
  const rideSort = state.ride_sort || "downtime_hours";
  const live = state.period === "live";
  const showNow = NOW_PERIODS.has(state.period);

  const parkQuery = getJSON("/parks/downtime", { ...params, sort_by: parkSort });
  fill(head.body, "the status panels", async () => {
    const [ranking, counts] = await Promise.all([parkQuery, getJSON("/live/status-summary", { filter: state.filter }).catch(() => null)]);
    return { ranking, counts };
  }, ({ ranking, counts }) => panels(head.body, ranking.meta.summary || {}, counts, state.period), ctx);

  fill(parks.body, "the park rankings", () => parkQuery, (body) => {
    ctx.setWindow(describeWindow(body.meta));
    if (!body.data.length) {
      empty(parks.body, live ? (liveDataKnown() === false ? NO_LIVE : "No open park has a ride down right now.") : "No park had downtime in this period.");
      return;
    }
    const columns = [
      { key: "rank", label: "#", numeric: true },
      { key: "name", label: "Park", render: (p) => withFidelity(parkLink(p.park_id, p.name, state), p) },
      { key: "shame_score", label: "Shame score", numeric: true, sort: "shame_score",
        render: (p) => scoreBadge(p.shame_score, { onclick: () => openExplanation(p.park_id, periodParams(state), { parkName: p.name }), label: `Shame score ${fmt.score(p.shame_score)} for ${p.name}: show how it is computed` }) },
      { key: "location", label: "Location", small: false, render: (p) => p.location || fmt.dash },
      showNow ? { key: "park_is_open", label: "Park", render: (p) => openBadge(p.park_is_open) } : null,
      { key: "total_downtime_hours", label: live ? "Ride-hours down today" : "Ride-hours down", numeric: true, sort: "total_downtime_hours", render: (p) => fmt.hours(p.total_downtime_hours) },
      { key: "uptime_percentage", label: live ? "Uptime today" : "Uptime", numeric: true, sort: "uptime_percentage", ascending: true, render: (p) => fmt.percent(p.uptime_percentage) },
      { key: "rides_down", label: live ? "Rides down now" : "Rides down", numeric: true, sort: "rides_down", render: (p) => fmt.count(p.rides_down) },
    ].filter(Boolean);
    parks.body.replaceChildren(
      table({ caption: "Parks ranked by shame score", id: "park-table", columns, rows: body.data, sorted: parkSort, onSort: (s) => writeState({ park_sort: s }, { defaults: ctx.defaults }) }),
      ...(live ? [el("p", { class: "muted note" }, "Live: score and rides down are each park's latest cycle; hours and uptime are today's so far. Closed parks are not listed.")] : []),
      fidelityNote(body.data) || "",
    );
  }, ctx);

  fill(rides.body, "the ride rankings", () => getJSON("/rides/downtime", { ...params, sort_by: rideSort }), (body) => {
    if (!body.data.length) {
      empty(rides.body, live ? (liveDataKnown() === false ? NO_LIVE : "No ride is down right now.") : "No ride was down in this period.");
      return;
    }
    const columns = [
      { key: "rank", label: "#", numeric: true },
      { key: "name", label: "Ride", render: (r) => withFidelity(rideLink(r.ride_id, r.name, state), r) },
      { key: "tier", label: "Tier", small: false, render: (r) => tierBadge(r.tier) },
      { key: "park_name", label: "Park", render: (r) => parkLink(r.park_id, r.park_name, state) },
      showNow ? { key: "current_status", label: "Now", render: (r) => statusBadge(r.current_status) } : null,
      { key: "downtime_hours", label: live ? "Down today (h)" : "Downtime (h)", numeric: true, sort: "downtime_hours", render: (r) => fmt.hours(r.downtime_hours) },
      { key: "uptime_percentage", label: "Uptime", numeric: true, sort: "uptime_percentage", ascending: true, render: (r) => fmt.percent(r.uptime_percentage) },
      { key: "breakdowns", label: "Breakdowns", numeric: true, sort: "breakdowns", render: (r) => fmt.count(r.breakdowns) },
      { key: "longest_outage_minutes", label: "Longest outage (min)", numeric: true, small: false, render: (r) => fmt.minutes(r.longest_outage_minutes) },
    ].filter(Boolean);
    rides.body.replaceChildren(table({ caption: "Rides ranked by downtime", id: "ride-table", columns, rows: body.data, sorted: rideSort, onSort: (s) => writeState({ ride_sort: s }, { defaults: ctx.defaults }) }), fidelityNote(body.data) || "");
  }, ctx);
}

// The wait columns, the same for parks and rides.
const waitCols = () => [
  { key: "avg_wait_minutes", label: "Average wait (min)", numeric: true, sort: "avg_wait_minutes", render: (r) => fmt.minutes(r.avg_wait_minutes) },
  { key: "peak_wait_minutes", label: "Peak wait (min)", numeric: true, sort: "peak_wait_minutes", render: (r) => fmt.minutes(r.peak_wait_minutes) },
];

export function waitsView(root, state, ctx) {
  const parks = block("park-waits", "Parks by average posted wait");
  const rides = block("ride-waits", "Rides by average posted wait");
  root.replaceChildren(parks.node, rides.node);
  const params = { ...periodParams(state), filter: state.filter };
  const parkSort = state.park_wait_sort || "avg_wait_minutes";
  const rideSort = state.ride_wait_sort || "avg_wait_minutes";
  const showNow = NOW_PERIODS.has(state.period);

  fill(parks.body, "the park wait times", () => getJSON("/parks/waittimes", { ...params, sort_by: parkSort }), (body) => {
    ctx.setWindow(describeWindow(body.meta));
    if (!body.data.length) return empty(parks.body, "No park posted a wait in this period.");
    parks.body.replaceChildren(table({
      caption: "Parks by average posted wait", id: "park-wait-table", rows: body.data, sorted: parkSort,
      onSort: (s) => writeState({ park_wait_sort: s }, { defaults: ctx.defaults }),
      columns: [
        { key: "rank", label: "#", numeric: true },
        { key: "name", label: "Park", render: (p) => parkLink(p.park_id, p.name, state) },
        { key: "location", label: "Location", small: false, render: (p) => p.location || fmt.dash },
        ...waitCols(),
        { key: "rides_reporting", label: "Rides reporting", numeric: true, small: false, render: (p) => fmt.count(p.rides_reporting) },
      ],
    }));
  }, ctx);

  fill(rides.body, "the ride wait times", () => getJSON("/rides/waittimes", { ...params, sort_by: rideSort }), (body) => {
    if (!body.data.length) return empty(rides.body, "No ride posted a wait in this period.");
    rides.body.replaceChildren(table({
      caption: "Rides by average posted wait", id: "ride-wait-table", rows: body.data, sorted: rideSort,
      onSort: (s) => writeState({ ride_wait_sort: s }, { defaults: ctx.defaults }),
      columns: [
        { key: "rank", label: "#", numeric: true },
        { key: "name", label: "Ride", render: (r) => rideLink(r.ride_id, r.name, state) },
        { key: "tier", label: "Tier", render: (r) => tierBadge(r.tier) },
        { key: "park_name", label: "Park", render: (r) => parkLink(r.park_id, r.park_name, state) },
        ...waitCols(),
        showNow ? { key: "current_wait_minutes", label: "Posted now (min)", numeric: true, render: (r) => fmt.count(r.current_wait_minutes) } : null,
      ].filter(Boolean),
    }));
  }, ctx);
}
