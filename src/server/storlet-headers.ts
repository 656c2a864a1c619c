/**
 * Upstream Storlets' request headers, read the same way for the Swift gateway and for skybutler's
 * own object API: `X-Run-Storlet`, the parameters (query string, then
 * `X-Storlet-Parameter-N: key:value`, headers winning), `X-Storlet-Range`, `X-Storlet-Extra-Resources` and
 * `X-Storlet-Run-On-Proxy`, with upstream's 400 messages.
 *
 * @packageDocumentation
 */
import type { IncomingHttpHeaders } from "node:http";
import { UsageError } from "../errors.js";
import { parseStorletRange, type StorletRangeSpec } from "../storlets/storlet-range.js";

/** What a storlet request asks for. */
export interface StorletRequest {
  /** The storlet object's name (`X-Run-Storlet`). */
  storlet: string;
  params: Record<string, string>;
  /** The input's range (`X-Storlet-Range`). */
  range?: StorletRangeSpec;
  /** Extra inputs: `[container, object]` pairs in header order. */
  extras: Array<[string, string]>;
}

function one(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(",") : value;
}

/** The storlet a request runs (`X-Run-Storlet`), if any. */
export function runStorletHeader(headers: IncomingHttpHeaders): string | undefined {
  const value = one(headers["x-run-storlet"])?.trim();
  return value === undefined || value === "" ? undefined : value;
}

/**
 * Parameters as upstream builds them: the query string (`?flag` gives `flag: ""`), then each
 * `X-Storlet-Parameter-<anything>: key:value` header, URL-unquoted and split at its first `:`,
 * overriding a query parameter of the same key.
 */
export function storletParams(query: string, headers: IncomingHttpHeaders): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(query)) params[key] = value;
  for (const [name, value] of Object.entries(headers)) {
    if (!name.startsWith("x-storlet-parameter-") || value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      let text: string;
      try {
        text = decodeURIComponent(item);
      } catch {
        text = item;
      }
      const colon = text.indexOf(":");
      if (colon < 0) throw new UsageError(`${name} must be "key:value", got "${item.slice(0, 100)}"`);
      params[text.slice(0, colon)] = text.slice(colon + 1);
    }
  }
  return params;
}

/**
 * Reads a storlet request's headers.
 * @param maxExtras - upstream's `max_extra_resources`
 * @throws UsageError (400) with upstream's messages: a `Range` header with a storlet, a non-empty
 *   `X-Storlet-Run-On-Proxy`, extra resources not in `/container/object` form or too many, a
 *   malformed `X-Storlet-Range` or parameter
 */
export function readStorletRequest(storlet: string, query: string, headers: IncomingHttpHeaders, maxExtras: number): StorletRequest {
  if (headers.range !== undefined) throw new UsageError("Storlet execution with range header is not supported");
  const onProxy = one(headers["x-storlet-run-on-proxy"]);
  if (onProxy !== undefined && onProxy.trim() !== "") throw new UsageError("X-Storlet-Run-On-Proxy header should be empty");
  const rangeHeader = one(headers["x-storlet-range"]);
  const extras: Array<[string, string]> = [];
  const extraHeader = one(headers["x-storlet-extra-resources"]);
  if (extraHeader !== undefined) {
    for (const item of extraHeader.split(",").map((s) => s.trim())) {
      const match = /^\/([^/]+)\/(.+)$/.exec(item);
      if (match === null) throw new UsageError("X-Storlet-Extra-Resource must be a csv with/container/object format");
      extras.push([decodeURIComponent(match[1]!), decodeURIComponent(match[2]!)]);
    }
    if (extras.length > maxExtras) throw new UsageError(`Too many extra resources. ${extras.length} was requested but only ${maxExtras} is allowed,`);
  }
  return {
    storlet,
    params: storletParams(query, headers),
    ...(rangeHeader === undefined ? {} : { range: parseStorletRange(rangeHeader) }),
    extras,
  };
}
