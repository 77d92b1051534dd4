// Search: the header box and the Ctrl/Cmd-K palette, both over /api/search (fuzzy,
// so "thundr run" still finds Thunder Run), with arrow-key navigation.

import { getJSON } from "./api.js";
import { el } from "./ui.js";

function hrefOf(hit) {
  return hit.type === "park" ? `/parks/${hit.id}` : `/rides/${hit.id}`;
}

function attach(input, list, { onClose } = {}) {
  let hits = [];
  let active = -1;
  let seq = 0;
  let debounce = null;

  function render() {
    list.replaceChildren(
      ...hits.map((hit, i) =>
        el(
          "li",
          { role: "option", id: `${list.id}-${i}`, "aria-selected": String(i === active), class: i === active ? "active" : "", "data-href": hrefOf(hit) },
          el("a", { href: hrefOf(hit), tabindex: "-1" },
            el("span", { class: "hit-name" }, hit.name),
            el("span", { class: "hit-meta" }, hit.type === "park" ? "Park" : `Ride · ${hit.park_name}`)),
        ),
      ),
    );
    if (input.value.trim() && !hits.length) list.append(el("li", { class: "no-hits", role: "option", "aria-disabled": "true" }, "No park or ride matches."));
    list.hidden = !input.value.trim();
    input.setAttribute("aria-expanded", String(!list.hidden));
    input.setAttribute("aria-activedescendant", active >= 0 ? `${list.id}-${active}` : "");
  }

  async function lookup() {
    const q = input.value.trim();
    const mine = ++seq;
    if (!q) {
      hits = [];
      active = -1;
      render();
      return;
    }
    try {
      const body = await getJSON("/search", { q, limit: 8 });
      if (mine !== seq) return; // a newer keystroke already asked
      hits = body.data;
      active = hits.length ? 0 : -1;
    } catch (err) {
      if (mine !== seq) return;
      hits = [];
      active = -1;
      list.replaceChildren(el("li", { class: "no-hits", role: "option" }, err.unavailable ? "Search is not available." : "Search failed; try again."));
      list.hidden = false;
      return;
    }
    render();
  }

  input.addEventListener("input", () => {
    clearTimeout(debounce);
    debounce = setTimeout(lookup, 150);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!hits.length) return;
      const step = event.key === "ArrowDown" ? 1 : -1;
      active = (active + step + hits.length) % hits.length;
      render();
    } else if (event.key === "Enter") {
      event.preventDefault();
      if (active >= 0 && hits[active]) window.location.assign(hrefOf(hits[active]));
    } else if (event.key === "Escape") {
      hits = [];
      input.value = "";
      render();
      onClose?.();
    }
  });
  list.addEventListener("mousedown", (event) => event.preventDefault()); // keep focus
  list.addEventListener("click", (event) => {
    const item = event.target.closest("li[data-href]");
    if (item) {
      event.preventDefault();
      window.location.assign(item.dataset.href);
    }
  });
  input.addEventListener("blur", () => setTimeout(() => { if (!list.closest("dialog")) list.hidden = true; }, 100));
}

export function bindSearch() {
  const input = document.getElementById("search-input");
  const list = document.getElementById("search-results");
  if (input && list) attach(input, list);
  const palette = document.getElementById("palette");
  const paletteInput = document.getElementById("palette-input");
  const paletteList = document.getElementById("palette-results");
  if (!palette || !paletteInput) return;
  attach(paletteInput, paletteList, { onClose: () => palette.close() });
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k") {
      event.preventDefault();
      if (palette.open) palette.close();
      else {
        palette.showModal();
        paletteInput.focus();
        paletteInput.select();
      }
    }
  });
  palette.addEventListener("click", (event) => {
    if (event.target === palette) palette.close(); // a click on the backdrop
  });
}
