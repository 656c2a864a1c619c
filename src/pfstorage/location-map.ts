/**
 * pfstorage's location rewriting, fixed: `mapLocationOver`, `inLocation` and `fromLocation`
 * replace a leading path prefix only — whole segments, once — where pfstorage's `str.replace`
 * replaced every occurrence anywhere in the name.
 *
 * @packageDocumentation
 */
import { posix } from "node:path";

/** A path in comparable form: normalised, no trailing `/`, `""` for the current directory. */
export function pathForm(path: string): string {
  const normal = posix.normalize(path === "" ? "." : path).replace(/\/+$/, "");
  return normal === "." ? "" : normal;
}

/**
 * What follows `prefix` in `path` when `path` is `prefix` itself or lies below it (segment-wise),
 * else undefined. An empty prefix matches everything.
 *
 * ```ts
 * belowPrefix("chris/uploads/a.dcm", "chris/uploads");  // "a.dcm"
 * belowPrefix("chris/uploadsX/a.dcm", "chris/uploads"); // undefined
 * ```
 */
export function belowPrefix(path: string, prefix: string): string | undefined {
  const p = pathForm(path);
  const pre = pathForm(prefix);
  if (pre === "") return p;
  if (p === pre) return "";
  return p.startsWith(`${pre}/`) ? p.slice(pre.length + 1) : undefined;
}

/** `a` and `b` joined with one `/`, either may be empty. */
export function joinNames(a: string, b: string): string {
  const left = a.replace(/\/+$/, "");
  const right = b.replace(/^\/+/, "");
  if (left === "") return right;
  if (right === "") return left;
  return `${left}/${right}`;
}
