// Charts: line charts and heatmaps of the top entities through the period, in each
// park's local time, straight from /api/trends/chart-data and heatmap-data.

import { getJSON } from "./api.js";
import { chartBox, heatmap, lineChart } from "./charts.js";
import { el, empty, fill } from "./ui.js";
import { periodParams } from "./state.js";

const LINES = [
  { type: "parks", title: "Shame score through the period", unit: "shame score" },
  { type: "rides", title: "Ride downtime through the period", unit: "hours down" },
  { type: "waittimes", title: "Average park wait through the period", unit: "minutes" },
  { type: "ridewaittimes", title: "Average ride wait through the period", unit: "minutes" },
];
const HEATMAPS = [
  { type: "parks-shame", title: "Parks × time: shame score" },
  { type: "rides-downtime", title: "Rides × time: downtime" },
];

function xTitle(meta) {
  return meta && meta.granularity === "1d" ? "Local date" : "Local time in each park";
}

export function chartsView(root, state, ctx) {
  ctx.setWindow(state.period === "live" ? "Live charts show today so far, in each park's local time" : "");
  root.replaceChildren();
  const params = { ...periodParams(state), filter: state.filter };
  for (const spec of LINES) {
    const body = el("div", { class: "block-body" });
    root.append(el("section", { class: "card" }, el("h2", {}, spec.title), body));
    fill(body, "this chart", () => getJSON("/trends/chart-data", { type: spec.type, ...params }), async (res) => {
      const d = res.data;
      if (!d.datasets || !d.datasets.length || !d.labels.length) return empty(body, "No data for this period.");
      const box = chartBox(`${spec.title}: line chart of ${d.datasets.length} entities`);
      body.replaceChildren(box);
      await lineChart(box, { x: d.labels, series: d.datasets.map((s) => ({ name: s.park_name && s.label !== s.park_name ? `${s.label} (${s.park_name})` : s.label, values: s.data })), yTitle: spec.unit, xTitle: xTitle(res.meta) });
    }, ctx);
  }
  for (const spec of HEATMAPS) {
    const body = el("div", { class: "block-body" });
    root.append(el("section", { class: "card" }, el("h2", {}, spec.title), body));
    fill(body, "this heatmap", () => getJSON("/trends/heatmap-data", { type: spec.type, ...params }), async (res) => {
      const d = res.data;
      if (!d.entities || !d.entities.length || !d.time_labels.length) return empty(body, "No data for this period.");
      const box = chartBox(`${spec.title}: heatmap of ${d.entities.length} rows by ${d.time_labels.length} time buckets`);
      body.replaceChildren(box);
      await heatmap(box, { x: d.time_labels, y: d.entities.map((e) => e.name), z: d.matrix, unit: d.unit, title: xTitle(res.meta) });
    }, ctx);
  }
}
