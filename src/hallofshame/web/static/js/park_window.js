// Any window of one park's day, e.g. 11:30–13:45 by 15 minutes, from
// /api/parks/{id}/timeseries (computed from raw observations). Kept in the URL.

import { getJSON } from "./api.js";
import { chartBox, lineChart } from "./charts.js";
import { fmt, wallClock } from "./format.js";
import { readState, writeState } from "./state.js";
import { localStamp } from "./timeline.js";
import { el, empty, fill, table } from "./ui.js";

const BUCKETS = ["5m", "10m", "15m", "30m", "1h", "1d"];

const input = (name, type, label, value) =>
  el("label", {}, label, el("input", { type, name, value, required: true }));

function form(values, onSubmit) {
  const bucket = el("select", { name: "bucket" }, BUCKETS.map((b) => el("option", { value: b, selected: b === values.bucket }, b)));
  const node = el("form", { class: "window-form", id: "window-form" },
    input("ts_date", "date", "Day", values.ts_date),
    input("ts_from", "time", "From", values.ts_from),
    input("ts_to", "time", "To", values.ts_to),
    el("label", {}, "Buckets", bucket),
    el("button", { type: "submit" }, "Show window"));
  node.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(node);
    onSubmit(Object.fromEntries(data.entries()));
  });
  return node;
}

function draw(target, body, tz) {
  const rows = body.data.buckets || body.data.items || body.data;
  if (!Array.isArray(rows) || !rows.length) return empty(target, "No data in this window.");
  const box = chartBox("Shame score and rides down in the chosen window");
  target.replaceChildren(box, table({
    showCaption: true,
    caption: `The window bucket by bucket (local time, ${tz})`,
    id: "window-table",
    rowHeader: "start",
    columns: [
      { key: "start", label: "From", render: (b) => wallClock(b.local_start) },
      { key: "shame_score", label: "Shame score", numeric: true, render: (b) => fmt.score(b.shame_score) },
      { key: "downtime_hours", label: "Ride-hours down", numeric: true, render: (b) => fmt.hours(b.downtime_hours) },
      { key: "rides_down", label: "Rides down", numeric: true, render: (b) => fmt.count(b.rides_down) },
      { key: "avg_wait_minutes", label: "Average wait (min)", numeric: true, render: (b) => fmt.minutes(b.avg_wait_minutes) },
      { key: "park_open_fraction", label: "Park open (share)", numeric: true, render: (b) => (b.park_open_fraction === null ? fmt.dash : String(b.park_open_fraction)) },
    ],
    rows,
  }));
  return lineChart(box, {
    x: rows.map((b) => localStamp(b.local_start)),
    series: [
      { name: "Shame score", values: rows.map((b) => b.shame_score), colour: "#0072B2" },
      { name: "Rides down", values: rows.map((b) => b.rides_down), axis: 2, axisTitle: "rides down", bar: true, colour: "#D55E00" },
    ],
    yTitle: "shame score",
    xTitle: `Local time (${tz})`,
    xType: "date",
  });
}

export function customWindow(target, parkId, detailQuery, ctx, defaults) {
  const state = readState(defaults);
  const result = el("div", { class: "window-result", id: "window-result" });
  const start = async () => {
    // Default day: the last local date of the chosen period (the park's own calendar).
    let day = state.ts_date;
    let tz = "the park's time zone";
    try {
      const detail = await detailQuery;
      day = day || detail.meta.end_date || detail.data.local_date;
      tz = detail.data.park.timezone;
    } catch {
      day = day || new Date().toISOString().slice(0, 10);
    }
    const values = { ts_date: day, ts_from: state.ts_from || "11:30", ts_to: state.ts_to || "13:45", bucket: state.bucket || "15m" };
    target.replaceChildren(
      el("p", { class: "muted" }, "Pick a stretch of a day in the park's local time; figures are computed from the raw observations."),
      form(values, (v) => writeState(v, { defaults })),
      result);
    fill(result, "the window", () => getJSON(`/parks/${parkId}/timeseries`, {
      start: `${values.ts_date}T${values.ts_from}`, end: `${values.ts_date}T${values.ts_to}`, bucket: values.bucket,
    }), (body) => draw(result, body, tz), ctx);
  };
  start();
}
