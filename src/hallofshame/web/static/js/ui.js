// Small DOM helpers: elements, the loading / empty / error states, accessible tables
// and the badges. Text goes in through textContent only (names come from upstream feeds).

import { fmt, STATUS_NAMES } from "./format.js";

export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function loading(target, what) {
  target.replaceChildren(
    el("div", { class: "state state-loading", role: "status" }, el("span", { class: "spinner" }), `Loading ${what}…`),
  );
}

export function empty(target, text) {
  target.replaceChildren(el("p", { class: "state state-empty" }, text));
}

// An endpoint that is not deployed yet is "not available", not an error.
export function failed(target, err, retry, what = "this") {
  const box = el("div", { class: err && err.unavailable ? "state state-unavailable" : "state state-error", role: "alert" });
  if (err && err.unavailable) {
    box.append(el("p", {}, `${capital(what)} is not available from the API yet.`));
  } else {
    box.append(el("p", {}, `Could not load ${what}: ${(err && err.message) || "unknown error"}.`));
  }
  if (retry) box.append(el("button", { type: "button", class: "retry", onclick: retry }, "Try again"));
  target.replaceChildren(box);
}

function capital(text) {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// Bins only pick a colour; the number printed is the API's. The palette is viridis
// (readable with every common colour-vision deficiency), light = low, dark = high.
const SCORE_BINS = [
  [0.5, "s0"],
  [1, "s1"],
  [2, "s2"],
  [4, "s3"],
  [Infinity, "s4"],
];

export function scoreClass(value) {
  if (value === null || value === undefined) return "score-none";
  return `score-${SCORE_BINS.find(([limit]) => value < limit)[1]}`;
}

export function scoreBadge(value, { onclick, label } = {}) {
  const text = fmt.score(value);
  if (!onclick) return el("span", { class: `score ${scoreClass(value)}` }, text);
  return el(
    "button",
    { type: "button", class: `score ${scoreClass(value)}`, onclick, "aria-label": label || `Shame score ${text}: explain`, "aria-haspopup": "dialog" },
    text,
  );
}

export function tierBadge(tier) {
  const label = tier ? `Tier ${tier}` : "Unclassified";
  return el("span", { class: `tier tier-${tier || "none"}`, title: label }, tier ? `T${tier}` : "T?");
}

export function statusBadge(state) {
  const key = state || "UNKNOWN";
  return el("span", { class: `status status-${key.toLowerCase()}` }, STATUS_NAMES[key] || key);
}

export function openBadge(isOpen) {
  if (isOpen === null || isOpen === undefined) return el("span", { class: "status status-unknown" }, "Unknown");
  return el("span", { class: `status ${isOpen ? "status-operating" : "status-closed"}` }, isOpen ? "Open" : "Closed");
}

// Columns marked `small: false` give way on phone screens (the figures stay).
function cls(col) {
  return [col.numeric ? "num" : "", col.small === false ? "opt" : ""].join(" ").trim();
}

/**
 * An accessible table. columns: [{key, label, numeric, sort, render(row)}]; a column
 * with `sort` (the API's sort_by value) gets a header button; `sorted` is the current one.
 */
export function table({ caption, columns, rows, sorted, onSort, id, rowHeader, showCaption = false }) {
  // One cell per row names it (the entity), read out before each figure.
  const headerKey = rowHeader ?? columns[Math.min(1, columns.length - 1)].key;
  const head = el(
    "tr",
    {},
    columns.map((col) => {
      const active = col.sort && col.sort === sorted;
      const th = el("th", { scope: "col", class: cls(col), "aria-sort": active ? (col.ascending ? "ascending" : "descending") : null });
      if (col.sort && onSort) {
        th.append(
          el("button", { type: "button", class: "sort", "data-sort": col.sort, "aria-pressed": active ? "true" : "false", onclick: () => onSort(col.sort) },
            col.label, el("span", { class: "sort-mark", "aria-hidden": "true" }, active ? (col.ascending ? " ▲" : " ▼") : " ↕")),
        );
      } else th.textContent = col.label;
      return th;
    }),
  );
  const body = el(
    "tbody",
    {},
    rows.map((row) =>
      el(
        "tr",
        {},
        columns.map((col) => {
          const content = col.render ? col.render(row) : row[col.key];
          const isHeader = col.key === headerKey;
          // data-label names the figure where a phone shows each row as a card.
          const cell = el(isHeader ? "th" : "td", { class: cls(col), "data-col": col.key, "data-label": col.label, scope: isHeader ? "row" : null });
          cell.append(content instanceof Node ? content : document.createTextNode(content ?? fmt.dash));
          return cell;
        }),
      ),
    ),
  );
  return el("div", { class: "table-wrap", tabindex: "0", role: "region", "aria-label": caption },
    el("table", { id }, el("caption", { class: showCaption ? "" : "visually-hidden" }, caption), el("thead", {}, head), body));
}

export function panel(label, value, note) {
  return el("div", { class: "panel" }, el("span", { class: "panel-label" }, label), el("strong", { class: "panel-value" }, value), note ? el("span", { class: "panel-note" }, note) : null);
}

export function section(title, ...children) {
  return el("section", { class: "card" }, el("h2", {}, title), ...children);
}

/**
 * Load one block: a loading state (unless a quiet refresh keeps the old one on
 * screen), then draw, or an error with a retry. `isCurrent` drops answers that
 * arrive after the user has moved on.
 */
export async function fill(target, what, fetcher, draw, { quiet = false, isCurrent = () => true } = {}) {
  if (!quiet) loading(target, what);
  target.setAttribute("aria-busy", "true");
  try {
    const result = await fetcher();
    if (!isCurrent()) return;
    target.removeAttribute("aria-busy");
    await draw(result);
  } catch (err) {
    if (!isCurrent() || err.name === "AbortError") return;
    target.removeAttribute("aria-busy");
    failed(target, err, () => fill(target, what, fetcher, draw, { isCurrent }), what);
  }
}
