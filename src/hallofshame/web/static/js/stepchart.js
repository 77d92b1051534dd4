// The recovery curve as a step chart in plain SVG (no charting library needed: a few
// lines). S(t), the share of outages still unresolved after t minutes, is level between
// the durations where outages ended and drops at each of them, so every point of the
// API's curve is one drop, drawn as its own element (and read out in its title).

const NS = "http://www.w3.org/2000/svg";
const W = 640;
const H = 260;
const PAD = { l: 46, r: 14, t: 12, b: 40 };

function svg(tag, attrs, ...children) {
  const node = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value !== undefined && value !== null) node.setAttribute(key, String(value));
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// Round steps for the minutes axis: about five ticks whatever the longest duration.
function tickStep(max) {
  const raw = max / 5;
  return [5, 10, 15, 30, 60, 120, 240, 480, 960].find((s) => s >= raw) || Math.ceil(raw / 60) * 60;
}

/**
 * points: [{minutes, still_down_percentage}] (the API's curve); marker: minutes down so
 * far (a dashed line), or null. Returns an <svg> scaled to its box.
 */
export function stepChart(points, { marker = null, label }) {
  const longest = Math.max(marker || 0, ...points.map((p) => p.minutes), 10);
  const maxT = longest * 1.08;
  const x = (t) => PAD.l + (t / maxT) * (W - PAD.l - PAD.r);
  const y = (s) => PAD.t + (1 - s / 100) * (H - PAD.t - PAD.b);
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "stepchart", role: "img", "aria-label": label });
  const axes = svg("g", { class: "axes" });
  for (const s of [0, 25, 50, 75, 100]) {
    axes.append(svg("line", { x1: PAD.l, x2: W - PAD.r, y1: y(s), y2: y(s), class: "grid" }));
    axes.append(svg("text", { x: PAD.l - 6, y: y(s) + 4, "text-anchor": "end" }, `${s}%`));
  }
  const step = tickStep(maxT);
  for (let t = 0; t <= maxT; t += step) {
    axes.append(svg("text", { x: x(t), y: H - PAD.b + 16, "text-anchor": "middle" }, `${t}`));
  }
  axes.append(svg("text", { x: (PAD.l + W - PAD.r) / 2, y: H - 4, "text-anchor": "middle", class: "axis-title" }, "minutes down"));
  root.append(axes);
  // The level stretches: from 100% at 0 to each drop, then on to the end of the axis.
  let d = `M${x(0)},${y(100)}`;
  let prev = 100;
  const drops = svg("g", { class: "steps" });
  for (const p of points) {
    d += ` H${x(p.minutes)}`;
    drops.append(svg("line", {
      class: "step",
      x1: x(p.minutes), x2: x(p.minutes), y1: y(prev), y2: y(p.still_down_percentage),
      "data-minutes": p.minutes, "data-still-down": p.still_down_percentage,
    }, svg("title", {}, `after ${p.minutes} min: ${p.still_down_percentage}% still down`)));
    d += ` V${y(p.still_down_percentage)}`;
    prev = p.still_down_percentage;
  }
  d += ` H${x(maxT)}`;
  root.append(svg("path", { d, class: "level" }), drops);
  if (marker !== null && marker !== undefined) {
    root.append(svg("line", { class: "marker", x1: x(marker), x2: x(marker), y1: y(100), y2: y(0), "data-minutes": marker }));
  }
  return root;
}
