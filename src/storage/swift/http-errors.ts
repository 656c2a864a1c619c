/**
 * HTTP statuses from Swift translated into skybutler's error classes, the same ones PosixStorage
 * raises for the same situations.
 *
 * @packageDocumentation
 */
import { AlreadyExistsError, AuthError, NotFoundError, PermissionDeniedError, StorageError } from "../../errors.js";

/** What a failed request was about, for the message. */
export interface FailedRequest {
  method: string;
  /** The storage key (or container) concerned. */
  key: string;
  /** The storage root, for messages. */
  where: string;
  status: number;
  /** Whether the request carried `If-None-Match: *` (so 412 means "already exists"). */
  ifAbsent?: boolean;
  /** Who was authenticated, for a 401 that survived a re-authentication. */
  who?: string;
}

/**
 * The error for a failed Swift response. Messages name the method, key, root and status — never a
 * token, header or body.
 */
export function swiftError(r: FailedRequest): Error {
  switch (r.status) {
    case 404:
      return new NotFoundError(r.key, r.where);
    case 403:
      return new PermissionDeniedError(r.key, r.where);
    case 401:
      return new AuthError(`Swift refused a fresh token (HTTP 401) for ${r.method} "${r.key}" in ${r.where}${r.who ? ` as ${r.who}` : ""}`);
    case 412:
      if (r.ifAbsent === true) return new AlreadyExistsError(r.key, r.where);
      break;
    case 422:
      return new StorageError(
        `Swift rejected the upload of "${r.key}" to ${r.where}: the bytes it received do not match their MD5 (HTTP 422); nothing was stored, try again`,
        { code: "E_CHECKSUM" },
      );
    case 413:
      return new StorageError(`"${r.key}" is larger than ${r.where} accepts in one object (HTTP 413)`, { code: "E_TOO_LARGE" });
  }
  return new StorageError(`Swift ${r.method} of "${r.key}" in ${r.where} failed with HTTP ${r.status}`, { code: "E_STORAGE" });
}
