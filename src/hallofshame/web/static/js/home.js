// The Hall of Shame page: global controls, the four views, search and self-refresh.

import { bindControls, reflectControls, scheduleRefresh, showFreshness } from "./controls.js";
import { bindExplainDialog } from "./explain.js";
import { bindSearch } from "./search.js";
import { onStateChange, writeState } from "./state.js";
import { awardsView } from "./view_awards.js";
import { chartsView } from "./view_charts.js";
import { downtimeView, waitsView } from "./view_rankings.js";

const DEFAULTS = { view: "downtime", period: "live", filter: "all-parks" };
const VIEWS = { downtime: downtimeView, waits: waitsView, awards: awardsView, charts: chartsView };
const REFRESHING = new Set(["downtime", "waits"]);
let generation = 0;

function render() {
  const state = reflectControls(DEFAULTS);
  const view = VIEWS[state.view] ? state.view : "downtime";
  for (const tab of document.querySelectorAll("#view-tabs a[data-view]")) {
    const params = new URLSearchParams(window.location.search);
    params.set("view", tab.dataset.view);
    tab.href = `?${params}`;
    if (tab.dataset.view === view) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
  const mine = ++generation;
  const note = document.getElementById("window-note");
  const ctx = {
    defaults: DEFAULTS,
    isCurrent: () => mine === generation,
    setWindow: (text) => { if (mine === generation) note.textContent = text; },
  };
  note.textContent = "";
  const root = document.getElementById("view");
  root.dataset.view = view;
  root.dataset.period = state.period;
  VIEWS[view](root, state, ctx);
  scheduleRefresh(REFRESHING.has(view) && (state.period === "live" || state.period === "today"), render);
}

document.getElementById("view-tabs").addEventListener("click", (event) => {
  const tab = event.target.closest("a[data-view]");
  if (!tab || event.ctrlKey || event.metaKey || event.shiftKey) return;
  event.preventDefault();
  writeState({ view: tab.dataset.view }, { defaults: DEFAULTS });
});

bindControls(DEFAULTS);
bindSearch();
bindExplainDialog();
onStateChange(() => render());
showFreshness().then(() => render());
