// Marks figures whose breakdowns are inferred: the park's feed only says open or closed,
// so a ride closed after operating the same day counts as down (the methodology's
// "Reported and inferred breakdowns"). Parks whose feed reports DOWN get no mark. The
// mark's "≈" is drawn by CSS, so a name's text stays the name; its title and accessible
// name explain it.

import { el } from "./ui.js";

export const INFERRED_TEXT = "Breakdowns inferred: this park's feed only says open or closed, so a ride that closes after operating the same day counts as down.";

export function fidelityMark(item) {
  if (!item || item.fidelity !== "inferred") return null;
  return el("a", { class: "fidelity-mark", href: "/methodology#fidelity", title: INFERRED_TEXT, "aria-label": INFERRED_TEXT, "data-fidelity": "inferred" });
}

// A name (or any node) followed by the mark when the item's figures are inferred.
export function withFidelity(node, item) {
  const mark = fidelityMark(item);
  return mark ? el("span", { class: "with-fidelity" }, node, mark) : node;
}

// The note under a table that holds at least one inferred row.
export function fidelityNote(rows) {
  if (!rows.some((r) => r.fidelity === "inferred")) return null;
  return el("p", { class: "muted note fidelity-note" }, el("span", { "aria-hidden": "true" }, "≈ "), "Breakdowns inferred from open/closed feeds. ", el("a", { href: "/methodology#fidelity" }, "How reported and inferred breakdowns differ"));
}
