/**
 * Swift's user metadata (`X-Object-Meta-*` headers): turning a plain record into headers and back.
 * Swift-specific — the Storage contract has no metadata, because PosixStorage has nowhere to keep it.
 *
 * @packageDocumentation
 */
import { InvalidKeyError } from "../../errors.js";

const PREFIX = "x-object-meta-";
/** Header names allow letters, digits and dashes; Swift folds them to lower case. */
const NAME = /^[A-Za-z0-9-]+$/;

/**
 * `X-Object-Meta-<name>` headers for a metadata record.
 * @throws InvalidKeyError for a name Swift cannot store, or a value with a line break
 */
export function metadataHeaders(metadata: Readonly<Record<string, string>>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(metadata)) {
    if (!NAME.test(name)) throw new InvalidKeyError(name, "metadata names may hold only letters, digits and '-'");
    if (/[\r\n]/.test(value)) throw new InvalidKeyError(name, "metadata values cannot contain line breaks");
    // non-ASCII survives as UTF-8 percent-encoding, which python-swiftclient also uses
    headers[`${PREFIX}${name.toLowerCase()}`] = /^[\x20-\x7e]*$/.test(value) ? value : encodeURIComponent(value);
  }
  return headers;
}

/** The metadata record in a response's headers (names lower-cased, without the prefix). */
export function metadataFrom(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!name.toLowerCase().startsWith(PREFIX) || value === undefined) continue;
    const text = Array.isArray(value) ? value.join(",") : value;
    let decoded = text;
    try {
      decoded = decodeURIComponent(text);
    } catch {
      // not percent-encoded: keep it as sent
    }
    out[name.toLowerCase().slice(PREFIX.length)] = decoded;
  }
  return out;
}
