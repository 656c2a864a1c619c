// The page's calls to the server: the token (entered once, kept in sessionStorage for this tab)
// goes in an Authorization header, never in a URL; errors come back as the server's {code, message}.

const TOKEN_KEY = "skybutler.token";

/** An error answer of the server. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The token of this tab, or null. */
export function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

/** Keeps (or with null forgets) the token of this tab. */
export function setToken(value) {
  if (value === null || value === "") sessionStorage.removeItem(TOKEN_KEY);
  else sessionStorage.setItem(TOKEN_KEY, value);
}

function headers() {
  const t = token();
  return t === null ? {} : { authorization: `Bearer ${t}` };
}

async function request(path, signal) {
  const response = await fetch(path, { headers: headers(), signal, credentials: "omit", cache: "no-store" });
  if (!response.ok) {
    let code = "E_HTTP";
    let message = `${response.status} ${response.statusText}`;
    try {
      const body = await response.json();
      if (typeof body.code === "string") code = body.code;
      if (typeof body.message === "string") message = body.message;
    } catch {
      // not a JSON error body: the status says enough
    }
    // a panel loading after the page (a tile, a page of rows) may be the first to meet it
    if (response.status === 401) window.dispatchEvent(new CustomEvent("skybutler:unauthorized", { detail: message }));
    throw new ApiError(response.status, code, message);
  }
  return response;
}

/** GETs JSON. @throws ApiError */
export async function getJson(path, signal) {
  return (await request(path, signal)).json();
}

/** GETs a body as a Blob, with the response headers. @throws ApiError */
export async function getBlob(path, signal) {
  const response = await request(path, signal);
  return { blob: await response.blob(), headers: response.headers };
}

/** `/api/v1/repos/NAME/browse/WHAT/TYPE?id.k=v…&extra…` */
export function browsePath(repo, what, type, dataId = {}, extra = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(dataId)) query.set(`id.${key}`, String(value));
  for (const [key, value] of Object.entries(extra)) if (value !== undefined && value !== null) query.set(key, String(value));
  const text = query.toString();
  return `/api/v1/repos/${encodeURIComponent(repo)}/browse/${what}${type === undefined ? "" : `/${encodeURIComponent(type)}`}${text ? `?${text}` : ""}`;
}

/** The dataset download of the server's dataset API: `/api/v1/repos/NAME/datasets/TYPE?k=v…` */
export function downloadPath(repo, type, dataId) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(dataId)) query.set(key, String(value));
  return `/api/v1/repos/${encodeURIComponent(repo)}/datasets/${encodeURIComponent(type)}?${query}`;
}
