/**
 * Errors as the server sends them: `{code, message, details}` with the HTTP status that fits the
 * code, so a client rebuilds the same class (`errorFromCode`). Never a stack trace, never a server
 * path: messages pass through the {@link Redactor}, and an error that is not one of skybutler's
 * (a bug, an unexpected failure) is reported as "internal error" and logged on the server only.
 *
 * @packageDocumentation
 */
import { ButlerError, type ErrorCode } from "../errors.js";
import type { Redactor } from "./redactor.js";

const STATUS: Partial<Record<ErrorCode, number>> = {
  E_NOT_FOUND: 404,
  E_DATASET_NOT_FOUND: 404,
  E_UNKNOWN_DATASET_TYPE: 404,
  E_ALREADY_EXISTS: 412,
  E_DATASET_CONFLICT: 409,
  E_CHANGED: 412,
  E_PERMISSION_DENIED: 403,
  E_AUTH: 401,
  E_INVALID_KEY: 400,
  E_USAGE: 400,
  E_DATA_ID: 400,
  E_TOO_LARGE: 413,
  E_CHECKSUM: 422,
  E_FITS: 422,
  E_FORMATTER: 422,
  E_UNSUPPORTED: 501,
  E_UNSUPPORTED_SCHEME: 501,
  E_CONNECTION: 502,
  E_TIMEOUT: 504,
  E_UNAVAILABLE: 503,
  E_CLOSED: 503,
  E_STORLET: 503,
};

/** Public fields of error classes that a client may use (`err.key` …), sent as `details`. */
const DETAIL_FIELDS = ["key", "datasetType", "dataId", "candidates", "closeNames", "hdu", "offset", "scheme"] as const;

/** The body of an error response. */
export interface ErrorBody {
  code: ErrorCode;
  message: string;
  details?: Record<string, unknown>;
}

/** The HTTP status for an error code (500 for codes that mean the server failed). */
export function statusOfCode(code: ErrorCode): number {
  return STATUS[code] ?? 500;
}

/** Fastify's own error codes that are the client's doing. */
const FASTIFY: Record<string, { status: number; code: ErrorCode; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: "E_TOO_LARGE", message: "the request body is larger than this server accepts" },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { status: 400, code: "E_USAGE", message: "the Content-Length does not match the body" },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: "E_USAGE", message: "the request body is empty" },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { status: 415, code: "E_USAGE", message: "unsupported Content-Type" },
  FST_ERR_BAD_URL: { status: 400, code: "E_USAGE", message: "the URL is malformed (bad percent-encoding)" },
  FST_ERR_ASYNC_CONSTRAINT: { status: 400, code: "E_USAGE", message: "the request could not be routed" },
};

/**
 * The status and body for an error raised while handling a request.
 * @param redactor - removes server paths and backend URIs from messages
 * @param log - called with errors that are not skybutler's (they are reported as "internal error")
 */
export function errorReply(err: unknown, redactor: Redactor, log: (err: unknown) => void): { status: number; body: ErrorBody } {
  if (err instanceof ButlerError) {
    const details: Record<string, unknown> = {};
    for (const field of DETAIL_FIELDS) {
      const value = (err as unknown as Record<string, unknown>)[field];
      if (value !== undefined) details[field] = typeof value === "string" ? redactor.clean(value) : value;
    }
    const body: ErrorBody = { code: err.code, message: redactor.clean(err.message) };
    if (Object.keys(details).length > 0) body.details = details;
    return { status: statusOfCode(err.code), body };
  }
  const fastify = FASTIFY[(err as { code?: string })?.code ?? ""];
  if (fastify !== undefined) return { status: fastify.status, body: { code: fastify.code, message: fastify.message } };
  const status = (err as { statusCode?: number })?.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    // a framework error about the request (malformed URL, bad header): its text names no server path
    return { status, body: { code: "E_USAGE", message: redactor.clean(String((err as Error).message)) } };
  }
  log(err);
  return { status: 500, body: { code: "E_STORAGE", message: "internal server error; the server log has the details" } };
}
