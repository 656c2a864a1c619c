/**
 * Object metadata as storlets see it and as it comes back: upstream's rules. An input's metadata is
 * the object's user metadata (`X-Object-Meta-*` without the prefix, `Storlet-*` keys left out) with
 * keys Title-Cased as Swift's `HeaderKeyDict` does; the output's metadata is at most 4096 bytes of
 * JSON, merged into the object's (never replacing it), with `Content-Type` setting the real
 * Content-Type.
 *
 * @packageDocumentation
 */
import { StorletError } from "../errors.js";

/** Upstream's limit on a storlet's metadata, as JSON. */
export const MAX_METADATA_BYTES = 4096;

/** The header prefix of user metadata. */
export const OBJECT_META = "x-object-meta-";

/**
 * A key as Python's `str.title()` writes it (what Swift's `HeaderKeyDict` does to header names):
 * every letter that follows a non-letter upper-case, every other letter lower-case.
 *
 * ```ts
 * titleCase("testkey");       // "Testkey"
 * titleCase("override_key");  // "Override_Key"
 * ```
 */
export function titleCase(key: string): string {
  let out = "";
  let afterLetter = false;
  for (const ch of key) {
    const letter = ch.toLowerCase() !== ch.toUpperCase();
    out += letter ? (afterLetter ? ch.toLowerCase() : ch.toUpperCase()) : ch;
    afterLetter = letter;
  }
  return out;
}

/**
 * The user metadata of an object's headers as a storlet's `get_metadata()` returns it.
 *
 * ```ts
 * inputMetadata({ "x-object-meta-testkey": "tester", "x-object-meta-storlet-main": "a.B" });  // { Testkey: "tester" }
 * ```
 */
export function inputMetadata(headers: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (!lower.startsWith(OBJECT_META) || lower.startsWith(`${OBJECT_META}storlet-`)) continue;
    out[titleCase(lower.slice(OBJECT_META.length))] = Array.isArray(value) ? value.join(", ") : String(value);
  }
  return out;
}

/** Metadata keyed as a storage reports it (lower-case names) → as a storlet sees it. */
export function titleCased(metadata: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(metadata).map(([k, v]) => [titleCase(k), v]));
}

/**
 * The metadata a storlet sent, with every value a string (upstream turns a number into its
 * decimal text, as a header does).
 * @throws Error when it is not a JSON object (the caller reports it as the storlet's failure)
 */
export function metadataValues(json: unknown): Record<string, string> {
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw new Error("metadata must be a JSON object");
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(json)) {
    out[key] = typeof value === "string" ? value : value === null ? "" : typeof value === "object" ? JSON.stringify(value) : String(value);
  }
  return out;
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// eslint-disable-next-line no-control-regex
const UNSAFE_VALUE = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** What a storlet's metadata does to a response or a stored object. */
export interface MetadataHeaders {
  /** `x-object-meta-<key>` → value, key as the storlet wrote it. */
  meta: Record<string, string>;
  /** The storlet's `Content-Type`, when it set one. */
  contentType?: string;
}

/**
 * The headers a storlet's metadata becomes: `X-Object-Meta-<key>` for each key, except
 * `Content-Type` (any case), which sets the Content-Type.
 * @throws StorletError for a key that cannot be a header name, or a value with a line break or
 *   a control character (it would split the header)
 */
export function metadataHeaders(metadata: Readonly<Record<string, string>>, storlet: string): MetadataHeaders {
  const out: MetadataHeaders = { meta: {} };
  for (const [key, value] of Object.entries(metadata)) {
    if (!TOKEN.test(key)) throw new StorletError(`storlet ${storlet} set the metadata key ${JSON.stringify(key.slice(0, 64))}, which cannot be a header name`);
    if (UNSAFE_VALUE.test(value)) throw new StorletError(`storlet ${storlet} set a value of ${key} with a line break or control character`);
    if (key.toLowerCase() === "content-type") out.contentType = value;
    else out.meta[`${OBJECT_META}${key.toLowerCase()}`] = value;
  }
  return out;
}
