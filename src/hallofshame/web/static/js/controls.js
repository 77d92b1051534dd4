// The global controls (filter, period, custom dates), the "last updated" stamp and
// the self-refresh of live views.

import { getJSON } from "./api.js";
import { clockTime, viewerZone } from "./format.js";
import { readState, writeState } from "./state.js";

export function bindControls(defaults) {
  const periodGroup = document.getElementById("period-group");
  const filterGroup = document.getElementById("filter-group");
  const form = document.getElementById("custom-range");
  periodGroup?.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-period]");
    if (!button) return;
    if (button.dataset.period === "custom") {
      form.hidden = !form.hidden;
      if (!form.hidden) form.querySelector("input").focus();
      button.setAttribute("aria-expanded", String(!form.hidden));
      return;
    }
    writeState({ period: button.dataset.period }, { defaults });
  });
  filterGroup?.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-filter]");
    if (button) writeState({ filter: button.dataset.filter }, { defaults });
  });
  form?.addEventListener("submit", (event) => {
    event.preventDefault();
    const start = form.elements.start.value;
    const end = form.elements.end.value;
    if (!start || !end) return;
    writeState({ period: "custom", start: end < start ? end : start, end: end < start ? start : end }, { defaults });
  });
}

export function reflectControls(defaults) {
  const state = readState(defaults);
  for (const button of document.querySelectorAll("#period-group button[data-period]")) {
    button.setAttribute("aria-pressed", String(button.dataset.period === state.period));
  }
  for (const button of document.querySelectorAll("#filter-group button[data-filter]")) {
    button.setAttribute("aria-pressed", String(button.dataset.filter === (state.filter || "all-parks")));
  }
  const form = document.getElementById("custom-range");
  if (form && state.period === "custom") {
    form.hidden = false;
    form.elements.start.value = state.start;
    form.elements.end.value = state.end;
  }
  return state;
}

// A park's latest cycle is live while it is at most 30 minutes old (METRICS.md §5).
export const LIVE_MAX_AGE_S = 30 * 60;

// Whether any park has live data, by the API's own clock (the health check's ages):
// true, false, or null when the health check has not answered.
export function liveDataKnown() {
  const value = document.getElementById("last-updated")?.dataset.live;
  return value === undefined ? null : value === "true";
}

// The stamp is the latest collection cycle the API knows of, never the clock of the
// viewer's machine; it is shown in the viewer's zone, named once.
export async function showFreshness() {
  const target = document.getElementById("last-updated");
  try {
    const body = await getJSON("/health");
    const sources = body.data.sources || [];
    const stamps = sources.map((s) => s.latest_cycle_at).filter(Boolean).toSorted();
    const latest = stamps[stamps.length - 1];
    const ages = sources.map((s) => s.age_seconds).filter((a) => typeof a === "number");
    target.dataset.live = String(ages.length > 0 && Math.min(...ages) <= LIVE_MAX_AGE_S);
    if (!latest) {
      target.textContent = "No live data has been collected yet.";
      return null;
    }
    const zone = viewerZone();
    target.replaceChildren(
      "Last updated ",
      Object.assign(document.createElement("time"), {
        dateTime: latest,
        textContent: clockTime(latest, zone, { date: true, zoneName: false }),
      }),
      ` (${zone})`,
      target.dataset.live === "true" ? "" : " · no live data in the last 30 minutes",
    );
    target.dataset.latest = latest;
    return latest;
  } catch {
    delete target.dataset.live;
    target.textContent = "Data freshness unknown (health check failed).";
    return null;
  }
}

// Live and today views redraw after each collection interval, a little after the next
// cycle is due, without reloading the page.
let timer = null;

export function scheduleRefresh(active, refresh) {
  clearTimeout(timer);
  timer = null;
  if (!active) return;
  const interval = Number(document.body.dataset.refreshSeconds || 300) * 1000;
  const latest = document.getElementById("last-updated")?.dataset.latest;
  // Aim just after the next cycle is due; fall back to one interval from now.
  const due = latest ? Date.parse(latest) + interval + 20000 - Date.now() : interval;
  const delay = due > 5000 && due <= interval + 20000 ? due : interval;
  timer = setTimeout(async () => {
    await showFreshness();
    refresh({ quiet: true });
  }, delay);
}
