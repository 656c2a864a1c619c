/**
 * ETags on the wire: a storage's validator is opaque (Swift: the bare MD5; POSIX: inode, size and
 * time), HTTP wants it quoted; `If-None-Match` may list several, weak or not.
 *
 * @packageDocumentation
 */

/** The header form of a storage validator (quoted unless it already is). */
export function quoteEtag(etag: string): string {
  return /^(W\/)?".*"$/.test(etag) ? etag : `"${etag}"`;
}

/** The storage validator of an ETag header value (quotes and a weak prefix removed). */
export function unquoteEtag(value: string): string {
  return value.trim().replace(/^W\//, "").replace(/^"(.*)"$/, "$1");
}

/** Whether an `If-None-Match` header matches the current validator (`*` matches any). */
export function noneMatchHits(header: string | undefined, etag: string | undefined): boolean {
  if (header === undefined || etag === undefined) return false;
  const current = unquoteEtag(etag);
  return header.split(",").some((part) => part.trim() === "*" || unquoteEtag(part) === current);
}

/**
 * Whether an `If-Match` header matches the current validator (`*` matches any existing object).
 * Weak tags never match (RFC 9110's strong comparison): a weak validator cannot pin bytes.
 */
export function matchHits(header: string, etag: string | undefined): boolean {
  if (etag === undefined) return false;
  const current = unquoteEtag(etag);
  return header.split(",").some((part) => part.trim() === "*" || (!part.trim().startsWith("W/") && unquoteEtag(part) === current));
}
