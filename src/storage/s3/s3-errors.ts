/**
 * S3 error responses as skybutler's error classes (the same ones Posix and Swift raise).
 *
 * @packageDocumentation
 */
import type { Dispatcher } from "undici";
import { AlreadyExistsError, AuthError, NotFoundError, PermissionDeniedError, StorageError } from "../../errors.js";

/** The S3 error code of an XML error body (`<Code>NoSuchKey</Code>`), when there is one. */
export async function errorCodeOf(res: Dispatcher.ResponseData): Promise<string | undefined> {
  try {
    const text = await res.body.text();
    return /<Code>([^<]{1,64})<\/Code>/.exec(text)?.[1];
  } catch {
    return undefined;
  }
}

/** What a failed request was about. */
export interface S3Failure {
  method: string;
  key: string;
  where: string;
  status: number;
  code?: string | undefined;
  ifAbsent?: boolean;
}

/** The error for a failed response; names the method, key, root and status, never a credential. */
export function s3Error(f: S3Failure): Error {
  const code = f.code === undefined ? "" : ` ${f.code}`;
  switch (f.status) {
    case 404:
      return new NotFoundError(f.key, f.where);
    case 403:
      if (f.code === "InvalidAccessKeyId" || f.code === "SignatureDoesNotMatch") {
        return new AuthError(`S3 refused the credentials (HTTP 403${code}) for ${f.method} "${f.key}" in ${f.where}; check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`);
      }
      return new PermissionDeniedError(f.key, f.where);
    case 401:
      return new AuthError(`S3 refused the request (HTTP 401${code}) for ${f.method} "${f.key}" in ${f.where}; check the credentials`);
    case 412:
      if (f.ifAbsent === true) return new AlreadyExistsError(f.key, f.where);
      break;
    case 400:
      if (f.code === "BadDigest" || f.code === "InvalidDigest" || f.code === "XAmzContentSHA256Mismatch") {
        return new StorageError(`S3 rejected the upload of "${f.key}" to ${f.where}: the bytes it received do not match their checksum (${f.code}); nothing was stored, try again`, { code: "E_CHECKSUM" });
      }
      if (f.code === "EntityTooLarge") return new StorageError(`"${f.key}" is larger than ${f.where} accepts in one object`, { code: "E_TOO_LARGE" });
      break;
  }
  return new StorageError(`S3 ${f.method} of "${f.key}" in ${f.where} failed with HTTP ${f.status}${code}`);
}
