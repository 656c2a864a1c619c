// The header of a FITS dataset as a searchable table, and a catalog's rows a page at a time.
import { ApiError, browsePath, getJson } from "./api.js";
import { h, notice, show } from "./dom.js";

function failure(err) {
  return notice(err instanceof ApiError ? `${err.code}: ${err.message}` : String(err?.message ?? err), "error");
}

/** The header cards, with a search over keyword, value and comment. */
export function headerPanel({ repo, type, dataId, signal }) {
  const search = h("input", { type: "search", id: "header-search", placeholder: "search keyword, value or comment", "aria-label": "search the header", autocomplete: "off" });
  const count = h("span", { class: "muted", id: "header-count" });
  const body = h("tbody", {});
  const table = h("table", { class: "grid header-table", id: "header" },
    h("thead", {}, h("tr", {}, h("th", { text: "Keyword" }), h("th", { text: "Value" }), h("th", { text: "Comment" }))),
    body);
  const slot = h("div", {}, notice("Loading the header…"));
  const rows = [];
  const filter = () => {
    const words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const { tr, text } of rows) {
      tr.hidden = !words.every((w) => text.includes(w));
      if (!tr.hidden) shown++;
    }
    count.textContent = words.length === 0 ? `${rows.length} cards` : `${shown} of ${rows.length} cards`;
  };
  search.addEventListener("input", filter);

  getJson(browsePath(repo, "header", type, dataId), signal).then(({ cards, total }) => {
    for (const card of cards) {
      const value = show(card.value);
      const tr = h("tr", {}, h("td", { class: "kw" }, card.keyword), h("td", { class: "value" }, value), h("td", { class: "muted" }, card.comment));
      rows.push({ tr, text: `${card.keyword}\n${value}\n${card.comment}`.toLowerCase() });
      body.append(tr);
    }
    slot.replaceChildren(cards.length === 0 ? notice("This header has no cards beyond the FITS structure.") : table);
    if (total > cards.length) slot.append(notice(`The first ${cards.length} of ${total} cards.`));
    filter();
  }, (err) => {
    if (err?.name !== "AbortError") slot.replaceChildren(failure(err));
  });
  return h("section", { class: "panel" }, h("div", { class: "panel-head" }, h("h2", { text: "Header" }), search, count), slot);
}

const PAGE_SIZES = [25, 100, 500];

/** A catalog's columns and rows, a page at a time. */
export function catalogPanel({ repo, type, dataId, signal }) {
  let offset = 0;
  let limit = 100;
  let total = 0;
  const range = h("span", { class: "range", id: "rows-range" });
  const prev = h("button", { type: "button", id: "rows-prev", onclick: () => load(Math.max(0, offset - limit)) }, "‹ previous");
  const next = h("button", { type: "button", id: "rows-next", onclick: () => load(offset + limit) }, "next ›");
  const size = h("select", { "aria-label": "rows per page", id: "rows-size", onchange: () => {
    limit = Number(size.value);
    load(0);
  } }, PAGE_SIZES.map((n) => h("option", { value: n, selected: n === limit }, `${n} rows`)));
  const slot = h("div", { class: "scroll-x" }, notice("Loading rows…"));
  let generation = 0;

  function load(start) {
    const mine = ++generation;
    prev.disabled = next.disabled = true;
    getJson(browsePath(repo, "catalog", type, dataId, { offset: start, limit }), signal).then((page) => {
      if (mine !== generation) return;
      offset = page.offset;
      total = page.total;
      const head = h("tr", {}, h("th", { text: "#" }), page.columns.map((c) =>
        h("th", { title: `${c.type}${c.repeat > 1 ? `[${c.repeat}]` : ""}` }, c.name, c.unit ? h("span", { class: "unit" }, ` [${c.unit}]`) : null)));
      const numeric = page.columns.map((c) => c.repeat === 1 && /^(u?int|float)/.test(c.type));
      const rows = page.rows.map((row, i) =>
        h("tr", {}, h("td", { class: "muted" }, String(offset + i + 1)), row.map((cell, k) => h("td", { class: numeric[k] ? "num" : "" }, show(cell)))));
      slot.replaceChildren(h("table", { class: "grid", id: "catalog" }, h("thead", {}, head), h("tbody", {}, rows)));
      range.textContent = total === 0 ? "no rows" : `rows ${offset + 1}–${offset + page.rows.length} of ${total}`;
      prev.disabled = offset === 0;
      next.disabled = offset + page.rows.length >= total;
    }, (err) => {
      if (mine !== generation || err?.name === "AbortError") return;
      slot.replaceChildren(failure(err));
    });
  }
  load(0);
  return h("section", { class: "panel" }, h("div", { class: "panel-head" }, h("h2", { text: "Catalog" }), prev, range, next, size), slot);
}
