// Display helpers. Values arrive already rounded by the API (METRICS.md: shame 1
// decimal, hours 2, percentages 1, minutes 1); fixing the decimals only keeps "0.0"
// from printing as "0". No figure is derived here.

const DASH = "—";

function fixed(value, digits) {
  if (value === null || value === undefined || Number.isNaN(value)) return DASH;
  return Number(value).toFixed(digits);
}

export const fmt = {
  score: (v) => fixed(v, 1),
  hours: (v) => fixed(v, 2),
  percent: (v) => (v === null || v === undefined ? DASH : `${fixed(v, 1)}%`),
  minutes: (v) => fixed(v, 1),
  count: (v) => (v === null || v === undefined ? DASH : String(v)),
  dash: DASH,
};

export const PERIOD_NAMES = {
  live: "Live",
  today: "Today",
  yesterday: "Yesterday",
  last_week: "Last week",
  last_month: "Last month",
  custom: "Custom dates",
};

export const STATUS_NAMES = {
  OPERATING: "Operating",
  DOWN: "Down",
  CLOSED: "Closed",
  REFURBISHMENT: "Refurbishment",
  PARK_CLOSED: "Park closed",
  UNKNOWN: "Unknown",
};

export function viewerZone() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
}

// An instant shown on a wall clock, with the zone named so nobody has to guess.
export function clockTime(iso, timeZone, { date = false, zoneName = true } = {}) {
  if (!iso) return DASH;
  const options = { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
  if (date) Object.assign(options, { day: "numeric", month: "short" });
  if (zoneName) options.timeZoneName = "short";
  // en-US names zones by their abbreviation ("EDT") where one exists.
  return new Intl.DateTimeFormat("en-US", options).format(new Date(iso));
}

// The local wall-clock part of an ISO string with offset ("2026-03-17T11:00:00-04:00").
export function wallClock(localIso) {
  if (!localIso) return DASH;
  const match = /T(\d{2}:\d{2})/.exec(localIso);
  return match ? match[1] : localIso.slice(0, 10);
}

export function localDay(localIso) {
  return localIso ? localIso.slice(0, 10) : DASH;
}

export function describeWindow(meta) {
  if (!meta) return "";
  const name = PERIOD_NAMES[meta.period] || (meta.start_date ? "Dates" : "");
  if (meta.start_date && meta.end_date) {
    const span =
      meta.start_date === meta.end_date ? meta.start_date : `${meta.start_date} → ${meta.end_date}`;
    return `${name}: ${span}, in each park's local time`;
  }
  return name ? `${name}, in each park's local time` : "";
}
