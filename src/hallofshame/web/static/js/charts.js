// Charts with the plotly.js bundle of the installed plotly wheel, served by the app
// itself and loaded only when a chart is drawn (it is large). Times are the park's
// local wall clock as the API labels them; values are the API's.

import { el } from "./ui.js";

let loader = null;

export function loadPlotly() {
  if (window.Plotly) return Promise.resolve(window.Plotly);
  if (!loader) {
    loader = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = document.body.dataset.plotlySrc;
      script.addEventListener("load", () => resolve(window.Plotly));
      script.addEventListener("error", () => {
        loader = null;
        reject(new Error("the charting library did not load"));
      });
      document.head.append(script);
    });
  }
  return loader;
}

// Okabe–Ito: distinguishable with the common colour-vision deficiencies.
export const LINE_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];
const DASHES = ["solid", "dash", "dot", "dashdot", "longdash"];
// viridis, low = dark purple, high = yellow.
export const VIRIDIS = [[0, "#440154"], [0.25, "#3b528b"], [0.5, "#21918c"], [0.75, "#5ec962"], [1, "#fde725"]];

const BASE_LAYOUT = {
  margin: { l: 48, r: 12, t: 8, b: 40 },
  paper_bgcolor: "rgba(0,0,0,0)",
  plot_bgcolor: "rgba(0,0,0,0)",
  font: { family: "system-ui, sans-serif", size: 12, color: "#1f2430" },
  legend: { orientation: "h", yanchor: "bottom", y: 1.02, x: 0 },
  hovermode: "closest",
};
const CONFIG = { displayModeBar: false, responsive: true };

export function chartBox(label) {
  return el("div", { class: "chart", role: "img", "aria-label": label });
}

export async function lineChart(box, { x, series, yTitle, xTitle, xType = "category" }) {
  const Plotly = await loadPlotly();
  const traces = series.map((s, i) => ({
    type: s.bar ? "bar" : "scatter",
    mode: s.bar ? undefined : "lines+markers",
    name: s.name,
    x: s.x || x,
    opacity: s.bar ? 0.45 : 1,
    y: s.values,
    connectgaps: false,
    yaxis: s.axis === 2 ? "y2" : "y",
    line: { color: s.colour || LINE_COLOURS[i % LINE_COLOURS.length], dash: DASHES[Math.floor(i / LINE_COLOURS.length) % DASHES.length], width: 2 },
    marker: { size: 4 },
  }));
  const layout = {
    ...BASE_LAYOUT,
    xaxis: { type: xType, automargin: true },
    yaxis: { title: { text: yTitle || "" }, rangemode: "tozero", automargin: true },
    showlegend: series.length > 1,
  };
  if (series.some((s) => s.axis === 2)) {
    layout.yaxis2 = { title: { text: series.find((s) => s.axis === 2).axisTitle || "" }, overlaying: "y", side: "right", rangemode: "tozero" };
    layout.margin = { ...layout.margin, r: 48 };
  }
  // A long legend needs room; the axis name goes under the chart, where the legend
  // cannot cover it.
  if (series.length > 4) box.style.height = `${340 + 18 * Math.ceil(series.length / 2)}px`;
  await Plotly.newPlot(box, traces, layout, CONFIG);
  axisNote(box, xTitle);
}

function axisNote(box, text) {
  if (text && !(box.nextElementSibling && box.nextElementSibling.classList.contains("axis-note"))) {
    box.after(el("p", { class: "axis-note muted" }, `Horizontal axis: ${text}`));
  }
}

export async function heatmap(box, { x, y, z, unit, title }) {
  const Plotly = await loadPlotly();
  const height = Math.max(220, 60 + y.length * 26);
  box.classList.add("chart-heat");
  box.style.height = `${height}px`; // CSSOM, allowed by the page's policy
  await Plotly.newPlot(
    box,
    [{ type: "heatmap", x, y, z, colorscale: VIRIDIS, hoverongaps: false, colorbar: { title: { text: unit || "" }, thickness: 12 }, xgap: 1, ygap: 1 }],
    { ...BASE_LAYOUT, margin: { l: 8, r: 8, t: 8, b: 40 }, xaxis: { type: "category", automargin: true }, yaxis: { automargin: true, autorange: "reversed", type: "category" } },
    CONFIG,
  );
  axisNote(box, title);
}
