// The repository browser: a hash router over four views (repositories → dataset types → data ids
// → a dataset), the token form, and the location bar. Plain modules, no framework, no outside file.
import { ApiError, setToken, token } from "./api.js";
import { h, link, notice } from "./dom.js";
import { datasetView, idsView, reposView, typesView } from "./views.js";

const view = document.getElementById("view");
const crumbs = document.getElementById("crumbs");
const session = document.getElementById("session");
const tokenBox = document.getElementById("token");
const tokenForm = document.getElementById("token-form");
const tokenInput = document.getElementById("token-input");
const tokenMessage = document.getElementById("token-message");

/**
 * The route of a location hash: `#/`, `#/repo/NAME`, `#/repo/NAME/type/TYPE?id.k=v&offset=N`,
 * `#/repo/NAME/type/TYPE/dataset?id.k=v`.
 */
export function parseRoute(hash) {
  const text = hash.replace(/^#/, "") || "/";
  const q = text.indexOf("?");
  const path = q < 0 ? text : text.slice(0, q);
  const query = new URLSearchParams(q < 0 ? "" : text.slice(q + 1));
  const parts = path.split("/").filter((p) => p !== "").map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  });
  const dataId = {};
  for (const [key, value] of query) if (key.startsWith("id.")) dataId[key.slice(3)] = value;
  const offset = Math.max(0, Number.parseInt(query.get("offset") ?? "0", 10) || 0);
  if (parts[0] === "repo" && parts.length >= 2) {
    const repo = parts[1];
    if (parts[2] === "type" && parts.length >= 4) {
      const type = parts[3];
      if (parts[4] === "dataset") return { name: "dataset", repo, type, dataId };
      return { name: "ids", repo, type, dataId, offset };
    }
    return { name: "types", repo };
  }
  return { name: "repos" };
}

const VIEWS = { repos: reposView, types: typesView, ids: idsView, dataset: datasetView };

function showCrumbs(route) {
  const items = [link("/", "repositories")];
  if (route.repo !== undefined) items.push(link(`/repo/${encodeURIComponent(route.repo)}`, route.repo));
  if (route.type !== undefined) items.push(link(`/repo/${encodeURIComponent(route.repo)}/type/${encodeURIComponent(route.type)}`, route.type));
  if (route.name === "dataset") items.push(h("span", { text: Object.entries(route.dataId).map(([k, v]) => `${k}=${v}`).join(" ") || "(no data id)" }));
  const out = [];
  items.forEach((item, i) => {
    if (i > 0) out.push(h("span", { class: "sep", "aria-hidden": "true" }, "›"));
    out.push(item);
  });
  crumbs.replaceChildren(...out);
}

function showSession() {
  if (token() === null) {
    session.replaceChildren();
    return;
  }
  session.replaceChildren(
    h("span", { class: "muted" }, "token set"),
    " ",
    h("button", { type: "button", class: "link", id: "forget-token", onclick: () => {
      setToken(null);
      void render();
    } }, "forget"),
  );
}

function askToken(message) {
  tokenMessage.textContent = token() === null
    ? "This server needs a token to read its repositories."
    : `The server refused the token: ${message}`;
  tokenBox.hidden = false;
  tokenInput.value = "";
  tokenInput.focus();
}

let generation = 0;
let controller;

async function render() {
  const mine = ++generation;
  controller?.abort();
  controller = new AbortController();
  const route = parseRoute(location.hash);
  showCrumbs(route);
  showSession();
  view.replaceChildren(notice("Loading…"));
  try {
    const content = await VIEWS[route.name](route, controller.signal);
    if (mine !== generation) return;
    view.replaceChildren(content);
    document.title = ["skybutler", route.repo, route.type].filter(Boolean).join(" · ");
  } catch (err) {
    if (mine !== generation || err?.name === "AbortError") return;
    if (err instanceof ApiError && err.status === 401) {
      view.replaceChildren(notice("Enter a token to continue.", "info"));
      askToken(err.message);
      return;
    }
    view.replaceChildren(notice(err instanceof ApiError ? `${err.code}: ${err.message}` : String(err?.message ?? err), "error"));
  }
}

tokenForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const value = tokenInput.value.trim();
  if (value === "") return;
  setToken(value);
  tokenBox.hidden = true;
  void render();
});
// a panel that loads later (a preview, a page of rows) may be the first to meet a 401
window.addEventListener("skybutler:unauthorized", (event) => askToken(event.detail ?? ""));
window.addEventListener("hashchange", () => void render());
void render();
