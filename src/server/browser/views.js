// The four views of the browser. Each takes its route and an AbortSignal and resolves to the
// element to show; panels that load more (the preview, the header, catalog rows) fill in later.
import { ApiError, browsePath, downloadPath, getBlob, getJson, token } from "./api.js";
import { h, link, notice, show } from "./dom.js";
import { catalogPanel, headerPanel } from "./tables.js";
import { previewPanel } from "./viewer.js";

const enc = encodeURIComponent;
const IDS_PAGE = 50;

/** The hash of a view. */
function typeHash(repo, type, dataId = {}, offset = 0) {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(dataId)) if (v !== "") query.set(`id.${k}`, String(v));
  if (offset > 0) query.set("offset", String(offset));
  const text = query.toString();
  return `/repo/${enc(repo)}/type/${enc(type)}${text ? `?${text}` : ""}`;
}

function datasetHash(repo, type, dataId) {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(dataId)) query.set(`id.${k}`, String(v));
  return `/repo/${enc(repo)}/type/${enc(type)}/dataset?${query}`;
}

/** Repositories the server serves. */
export async function reposView(_route, signal) {
  const { repos } = await getJson("/api/v1/repos", signal);
  return h("section", { class: "repos-view" },
    h("h1", { text: "Repositories" }),
    repos.length === 0
      ? notice("This server serves no repository.")
      : h("ul", { class: "cards", id: "repos" }, repos.map((r) =>
        h("li", {}, link(`/repo/${enc(r.name)}`, r.name, { class: "repo" }), h("span", { class: "muted" }, ` ${r.backend}${r.readOnly ? " · read-only" : ""}`)))),
  );
}

const KIND_LABEL = { image: "image", catalog: "catalog", other: "file" };

/** Dataset types of a repository, with their kinds and data id keys. */
export async function typesView(route, signal) {
  const { types } = await getJson(browsePath(route.repo, "types"), signal);
  const rows = types.map((t) =>
    h("tr", {},
      h("td", {}, link(typeHash(route.repo, t.name), t.name, { class: "type" })),
      h("td", {}, h("span", { class: `kind kind-${t.kind}` }, KIND_LABEL[t.kind] ?? t.kind)),
      h("td", { class: "muted" }, Object.keys(t.keys).join(", "))));
  return h("section", {},
    h("h1", { text: `Dataset types of ${route.repo}` }),
    h("table", { class: "grid", id: "types" },
      h("thead", {}, h("tr", {}, h("th", { text: "Type" }), h("th", { text: "Kind" }), h("th", { text: "Data id keys" }))),
      h("tbody", {}, rows)));
}

/** Data ids of a dataset type: a filter by key, one page, and whether each is stored. */
export async function idsView(route, signal) {
  const { repo, type, dataId, offset } = route;
  const page = await getJson(browsePath(repo, "ids", type, dataId, { offset, limit: IDS_PAGE }), signal);
  const keys = Object.keys(page.keys);

  const inputs = keys.map((key) =>
    h("label", {}, key, h("input", { name: key, value: dataId[key] ?? "", placeholder: page.keys[key], size: 10, "data-key": key })));
  const form = h("form", { class: "filter", id: "filter", onsubmit: (event) => {
    event.preventDefault();
    const wanted = {};
    for (const input of form.querySelectorAll("input[data-key]")) if (input.value.trim() !== "") wanted[input.dataset.key] = input.value.trim();
    location.hash = typeHash(repo, type, wanted);
  } },
  inputs,
  h("button", { type: "submit" }, "Filter"),
  h("button", { type: "button", class: "link", onclick: () => (location.hash = typeHash(repo, type)) }, "clear"));

  const first = page.total === 0 ? 0 : page.offset + 1;
  const last = page.offset + page.ids.length;
  const pager = h("div", { class: "pager" },
    page.offset > 0 ? link(typeHash(repo, type, dataId, Math.max(0, page.offset - page.limit)), "‹ previous", { class: "prev" }) : h("span", { class: "muted" }, "‹ previous"),
    h("span", { class: "range" }, `${first}–${last} of ${page.total}`),
    last < page.total ? link(typeHash(repo, type, dataId, last), "next ›", { class: "next" }) : h("span", { class: "muted" }, "next ›"));

  const rows = page.ids.map(({ dataId: id, exists }) =>
    h("tr", { class: exists === false ? "absent" : "" },
      h("td", {}, link(datasetHash(repo, type, id), "open", { class: "open" })),
      keys.map((k) => h("td", {}, show(id[k]))),
      h("td", { class: "stored" }, exists === null ? "?" : exists ? "yes" : "no")));
  return h("section", {},
    h("h1", { text: `${type} in ${repo}` }),
    keys.length > 0 ? form : null,
    pager,
    page.total === 0
      ? notice("No data id matches.")
      : h("table", { class: "grid", id: "ids" },
        h("thead", {}, h("tr", {}, h("th", {}), keys.map((k) => h("th", { text: k })), h("th", { text: "stored" }))),
        h("tbody", {}, rows)));
}

/** A dataset: its preview (images), header (FITS datasets), rows (catalogs), and a download. */
export async function datasetView(route, signal) {
  const { repo, type, dataId } = route;
  const info = await getJson(browsePath(repo, "dataset", type, dataId), signal);
  const idText = Object.entries(info.dataId).map(([k, v]) => `${k}=${v}`).join(" ");
  const status = h("span", { class: "download-status" });
  const href = downloadPath(repo, type, info.dataId);
  const fileName = `${type}${Object.values(info.dataId).map((v) => `_${v}`).join("")}`.replace(/[^A-Za-z0-9._-]/g, "_");
  const download = h("a", { class: "button", id: "download", href, download: fileName, onclick: (event) => {
    if (token() === null) return; // a plain link: the server needs no token to read
    // a link cannot send the Authorization header: fetch it, then save the bytes
    event.preventDefault();
    status.textContent = "downloading…";
    getBlob(href).then(({ blob }) => {
      const url = URL.createObjectURL(blob);
      const a = h("a", { href: url, download: fileName });
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      status.textContent = "";
    }, (err) => {
      status.textContent = err instanceof ApiError ? `${err.code}: ${err.message}` : String(err);
    });
  } }, "Download");

  const summary = [];
  if (info.kind === "image") summary.push(`${info.image.width} × ${info.image.height} pixels`);
  if (info.kind === "catalog") summary.push(`${info.rows} rows`);
  const parts = [
    h("div", { class: "title" },
      h("h1", {}, type, " ", h("span", { class: "dataid" }, idText)),
      h("div", { class: "actions" }, download, status)),
    h("p", { class: "muted", id: "summary" }, summary.join(" · ")),
  ];
  if (info.kind === "image") parts.push(previewPanel({ repo, type, dataId: info.dataId, width: info.image.width, height: info.image.height, signal }));
  if (info.kind === "catalog") parts.push(catalogPanel({ repo, type, dataId: info.dataId, signal }));
  if (info.kind !== "other") parts.push(headerPanel({ repo, type, dataId: info.dataId, signal }));
  else parts.push(notice("This dataset is not a FITS image or catalog: download it to look inside."));
  return h("section", { class: "dataset" }, parts);
}
