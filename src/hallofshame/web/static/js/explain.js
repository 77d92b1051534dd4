// The explanation of one park's shame score, from /api/parks/{id}/details: the formula
// filled in with this park's own sums, the rides that contribute, the rides left out
// and why, and the tier weights. Used in the ranking's dialog and on the park page.

import { getJSON } from "./api.js";
import { describeWindow, fmt, PERIOD_NAMES } from "./format.js";
import { el, failed, loading, scoreBadge, statusBadge, table, tierBadge } from "./ui.js";

const fig = (key, text) => el("span", { class: "figure", "data-figure": key }, text);

function formula(detail, period) {
  const live = period === "live";
  const lines = [
    el("p", { class: "formula-name" }, "Shame score = weighted downtime ÷ weighted capacity × 10"),
  ];
  if (live) {
    lines.push(
      el("p", {}, "Live, the same formula is taken over the park's latest cycle: the weights of the eligible rides down now ÷ the weights of the eligible rides whose state is known, × 10 = ",
        fig("shame_score", fmt.score(detail.shame_score)), "."),
      el("p", { class: "muted" }, "Today so far: weighted downtime ", fig("weighted_downtime_hours", fmt.hours(detail.weighted_downtime_hours)),
        " h over a weighted capacity of ", fig("weighted_capacity_hours", fmt.hours(detail.weighted_capacity_hours)), " h."),
    );
  } else {
    lines.push(
      el("p", { class: "formula-filled" },
        fig("weighted_downtime_hours", fmt.hours(detail.weighted_downtime_hours)), " h ÷ ",
        fig("weighted_capacity_hours", fmt.hours(detail.weighted_capacity_hours)), " h × 10 = ",
        el("strong", {}, fig("shame_score", fmt.score(detail.shame_score)))),
      el("p", { class: "muted" }, "Computed from the unrounded sums and rounded once, so the rounded figures shown may not divide to exactly the score."),
    );
  }
  return el("div", { class: "formula" }, ...lines);
}

function contributors(detail) {
  const rows = detail.rides.filter((r) => r.downtime_hours > 0);
  if (!rows.length) return el("p", { class: "state state-empty" }, "No eligible ride was down in this period.");
  return table({
    showCaption: true,
    caption: "Rides that were down (each ride's share of the score)",
    columns: [
      { key: "tier", label: "Tier", render: (r) => tierBadge(r.tier) },
      { key: "name", label: "Ride", render: (r) => el("a", { href: `/rides/${r.ride_id}` }, r.name) },
      { key: "weight", label: "Weight", numeric: true, small: false, render: (r) => fmt.count(r.weight) },
      { key: "downtime_hours", label: "Down (h)", numeric: true, render: (r) => fmt.hours(r.downtime_hours) },
      { key: "weighted_downtime_hours", label: "Weighted (h)", numeric: true, small: false, render: (r) => fmt.hours(r.weighted_downtime_hours) },
      { key: "contribution", label: "Share of score", numeric: true, render: (r) => fmt.score(r.contribution) },
      { key: "status", label: "Now", render: (r) => statusBadge(r.status) },
    ],
    rows,
  });
}

function excluded(detail) {
  if (!detail.excluded_rides.length) return el("p", { class: "muted" }, "No ride of this park is left out.");
  return el("details", { class: "excluded" },
    el("summary", {}, `${detail.excluded_rides.length} rides not counted, and why`),
    el("ul", {}, detail.excluded_rides.map((r) => el("li", {}, el("a", { href: `/rides/${r.ride_id}` }, r.name), ` — ${r.reason}`))));
}

function tiers(detail) {
  return table({
    showCaption: true,
    caption: "Tier weights (eligible rides now)",
    columns: [
      { key: "tier", label: "Tier", render: (t) => (t.tier ? `Tier ${t.tier}` : "Unclassified") },
      { key: "weight", label: "Weight", numeric: true, render: (t) => fmt.count(t.weight) },
      { key: "rides", label: "Rides", numeric: true, render: (t) => fmt.count(t.rides) },
    ],
    rows: detail.tier_distribution,
    rowHeader: "tier",
  });
}

export function explanation(body, period) {
  const d = body.data;
  return el("div", { class: "explanation" },
    el("div", { class: "explain-score" }, scoreBadge(d.shame_score),
      el("div", {}, el("strong", {}, d.park.name), el("span", { class: "muted" }, describeWindow(body.meta) || PERIOD_NAMES[period] || ""))),
    formula(d, period),
    contributors(d),
    excluded(d),
    tiers(d));
}

export async function openExplanation(parkId, params, { parkName } = {}) {
  const dialog = document.getElementById("explain");
  const target = document.getElementById("explain-body");
  document.getElementById("explain-title").textContent = parkName ? `Why ${parkName} scores what it scores` : "Why this score";
  const load = async () => {
    loading(target, "the explanation");
    try {
      const body = await getJSON(`/parks/${parkId}/details`, params);
      target.replaceChildren(explanation(body, params.period),
        el("p", {}, el("a", { href: `/parks/${parkId}?${new URLSearchParams(params)}` }, "Open the park's page →")));
    } catch (err) {
      failed(target, err, load, "the explanation");
    }
  };
  if (!dialog.open) dialog.showModal();
  await load();
}

export function bindExplainDialog() {
  const dialog = document.getElementById("explain");
  dialog?.querySelector("[data-close]")?.addEventListener("click", () => dialog.close());
  dialog?.addEventListener("click", (event) => {
    if (event.target === dialog) dialog.close();
  });
}
