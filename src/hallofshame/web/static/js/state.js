// The page's state lives in the URL query, so every view is a link and Back works.
// Changing it pushes a history entry and announces "statechange"; Back announces it too.

const PERIODS = new Set(["live", "today", "yesterday", "last_week", "last_month"]);
const DATE = /^\d{4}-\d{2}-\d{2}$/;

export function readState(defaults = {}) {
  const params = new URLSearchParams(window.location.search);
  const state = { ...defaults };
  for (const [key, value] of params) state[key] = value;
  const custom = DATE.test(state.start || "") && DATE.test(state.end || "");
  if (custom) state.period = "custom";
  else {
    delete state.start;
    delete state.end;
    if (!PERIODS.has(state.period)) state.period = defaults.period || "live";
  }
  return state;
}

export function writeState(patch, { replace = false, defaults = {} } = {}) {
  const next = { ...readState(defaults), ...patch };
  if (next.period !== "custom") {
    delete next.start;
    delete next.end;
  }
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(next)) {
    if (value === undefined || value === null || value === "") continue;
    if (key === "period" && value === "custom") continue; // start+end say it
    if (defaults[key] === value) continue; // short links: defaults stay implicit
    params.set(key, value);
  }
  const text = params.toString();
  const url = `${window.location.pathname}${text ? `?${text}` : ""}${window.location.hash}`;
  if (url !== `${window.location.pathname}${window.location.search}${window.location.hash}`) {
    if (replace) history.replaceState(null, "", url);
    else history.pushState(null, "", url);
  }
  window.dispatchEvent(new CustomEvent("statechange"));
}

export function onStateChange(handler) {
  window.addEventListener("statechange", handler);
  window.addEventListener("popstate", handler);
}

// The API's period parameters for a state: a named period, or a custom range.
export function periodParams(state) {
  if (state.period === "custom") return { start: state.start, end: state.end };
  return { period: state.period };
}

// A link to another page carrying the same period (and filter) along.
export function linkWith(path, state, keys = ["period", "start", "end"]) {
  const params = new URLSearchParams();
  for (const key of keys) {
    if (key === "period" && state.period === "custom") continue;
    if (state[key]) params.set(key, state[key]);
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
