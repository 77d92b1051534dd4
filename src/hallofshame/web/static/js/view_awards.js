// Awards: the first entries of the rankings for yesterday, last week and last month,
// as cards with a link that opens exactly this card.

import { getJSON } from "./api.js";
import { fmt, PERIOD_NAMES } from "./format.js";
import { el, fill, scoreBadge, tierBadge } from "./ui.js";

const AWARD_PERIODS = ["yesterday", "last_week", "last_month"];
const AWARDS = [
  { key: "least-reliable-park", title: "Least reliable park", path: "/trends/least-reliable", entity: "parks" },
  { key: "least-reliable-ride", title: "Least reliable ride", path: "/trends/least-reliable", entity: "rides" },
  { key: "longest-wait-park", title: "Longest average wait: park", path: "/trends/longest-wait-times", entity: "parks" },
  { key: "longest-wait-ride", title: "Longest average wait: ride", path: "/trends/longest-wait-times", entity: "rides" },
];

// The winner is the first item, whether the API answers a list or one object.
function winnerOf(data) {
  if (Array.isArray(data)) return data[0] || null;
  if (data && Array.isArray(data.items)) return data.items[0] || null;
  if (data && data.winner !== undefined) return data.winner;
  return data || null;
}

function figures(award, w) {
  if (award.path.endsWith("least-reliable")) {
    if (award.entity === "parks") {
      return [el("div", { class: "award-figure" }, scoreBadge(w.shame_score), el("span", {}, "shame score")),
        el("p", {}, `${fmt.hours(w.total_downtime_hours)} ride-hours down · uptime ${fmt.percent(w.uptime_percentage)}`)];
    }
    return [el("div", { class: "award-figure" }, el("strong", {}, fmt.hours(w.downtime_hours)), el("span", {}, "hours down")),
      el("p", {}, `${fmt.count(w.breakdowns)} breakdowns · longest ${fmt.minutes(w.longest_outage_minutes)} min`)];
  }
  return [el("div", { class: "award-figure" }, el("strong", {}, fmt.minutes(w.avg_wait_minutes)), el("span", {}, "min average wait")),
    el("p", {}, `peak ${fmt.minutes(w.peak_wait_minutes)} min`)];
}

async function share(id, status) {
  const url = new URL(window.location.href);
  url.hash = id;
  try {
    if (navigator.share) await navigator.share({ title: document.title, url: url.href });
    else await navigator.clipboard.writeText(url.href);
    status.textContent = "Link copied.";
  } catch {
    status.textContent = url.href; // copying was refused: show the link to copy by hand
  }
}

function card(award, period, body) {
  const id = `award-${period}-${award.key}`;
  const w = winnerOf(body.data);
  const status = el("span", { class: "share-status", role: "status" });
  const head = el("h3", {}, award.title);
  if (!w) return el("article", { class: "award", id }, head, el("p", { class: "state state-empty" }, "No winner: nothing was recorded in this period."));
  const isPark = award.entity === "parks";
  const name = isPark ? w.name : w.name;
  const href = isPark ? `/parks/${w.park_id}?period=${period}` : `/rides/${w.ride_id}?period=${period}`;
  return el("article", { class: "award", id, "aria-labelledby": `${id}-name` },
    head,
    el("p", { class: "award-name", id: `${id}-name` }, el("a", { href }, name), isPark ? null : el("span", { class: "muted" }, ` · ${w.park_name}`), isPark ? null : " ", isPark ? null : tierBadge(w.tier)),
    ...figures(award, w),
    el("p", { class: "award-foot" }, el("span", { class: "muted" }, PERIOD_NAMES[period] + (body.meta.start_date ? ` · ${body.meta.start_date}${body.meta.end_date && body.meta.end_date !== body.meta.start_date ? ` → ${body.meta.end_date}` : ""}` : "")),
      el("button", { type: "button", class: "share", onclick: () => share(id, status) }, "Share"), status));
}

export function awardsView(root, state, ctx) {
  ctx.setWindow("Awards for the last complete day, week and month, in each park's local time");
  root.replaceChildren();
  for (const period of AWARD_PERIODS) {
    const grid = el("div", { class: "awards-grid" });
    root.append(el("section", { class: "card", "aria-label": `Awards: ${PERIOD_NAMES[period]}` }, el("h2", {}, PERIOD_NAMES[period]), grid));
    for (const award of AWARDS) {
      const slot = el("div", { class: "award-slot" });
      grid.append(slot);
      fill(slot, `the ${award.title.toLowerCase()} award`, () => getJSON(award.path, { entity: award.entity, period, filter: state.filter }),
        (body) => slot.replaceChildren(card(award, period, body)), ctx);
    }
  }
  if (window.location.hash) {
    // Opened from a shared link: bring that card into view once it is drawn.
    setTimeout(() => document.getElementById(window.location.hash.slice(1))?.scrollIntoView({ block: "center" }), 600);
  }
}
