/**
 * Storage key normalisation, shared by every backend so that all of them accept and reject the
 * same keys.
 *
 * @packageDocumentation
 */
import { InvalidKeyError } from "../errors.js";

/**
 * Normalises a key: `/`-separated, no empty or `.` segments, no leading or trailing `/`.
 * Rejects what could escape the root or confuse a backend: `..` segments, absolute paths,
 * backslashes, NUL and other control characters, empty keys.
 *
 * ```ts
 * normalizeKey("raw//./v1.fits");  // "raw/v1.fits"
 * normalizeKey("../etc/passwd");   // throws InvalidKeyError
 * ```
 * @throws InvalidKeyError
 */
export function normalizeKey(key: string): string {
  if (typeof key !== "string") throw new InvalidKeyError(String(key), "a key must be a string");
  if (key.startsWith("/")) throw new InvalidKeyError(key, "absolute keys are not allowed; keys are relative to the repository root");
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(key)) throw new InvalidKeyError(key, "control characters are not allowed");
  if (key.includes("\\")) throw new InvalidKeyError(key, "use '/' as the separator, not '\\'");
  const parts = key.split("/").filter((p) => p !== "" && p !== ".");
  if (parts.includes("..")) throw new InvalidKeyError(key, "'..' would escape the repository root");
  if (parts.length === 0) throw new InvalidKeyError(key, "the key is empty");
  return parts.join("/");
}

/**
 * Normalises a list prefix: like {@link normalizeKey} but an empty prefix is allowed and a
 * trailing `/` is kept (it selects a "directory").
 * @throws InvalidKeyError
 */
export function normalizePrefix(prefix: string | undefined): string {
  if (prefix === undefined || prefix === "") return "";
  const trailing = prefix.endsWith("/");
  const stripped = prefix.replace(/\/+$/, "");
  if (stripped === "" || stripped === ".") return "";
  return normalizeKey(stripped) + (trailing ? "/" : "");
}
