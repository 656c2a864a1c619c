/**
 * Errors across a wire: the HTTP server sends `{code, message}`, the client rebuilds the same class
 * with {@link errorFromCode}, so `catch (e) { if (e instanceof NotFoundError) … }` works alike on a
 * local and a remote repository.
 *
 * @packageDocumentation
 */
import {
  AlreadyExistsError,
  AuthError,
  ButlerError,
  ChangedError,
  ClosedError,
  ConfigError,
  DataIdError,
  DatasetConflictError,
  DatasetNotFoundError,
  FitsError,
  FormatterError,
  IntegrityError,
  InvalidKeyError,
  NotFoundError,
  PermissionDeniedError,
  PolicyError,
  RegistryError,
  StorageError,
  StorletError,
  UnknownDatasetTypeError,
  UnsupportedOperationError,
  UnsupportedSchemeError,
  UsageError,
  type ErrorCode,
} from "./errors.js";

/** The class each code is rebuilt as; codes without a class of their own are their base class's. */
const CLASS_OF: Record<ErrorCode, abstract new (...args: never[]) => ButlerError> = {
  E_STORAGE: StorageError,
  E_NOT_FOUND: NotFoundError,
  E_ALREADY_EXISTS: AlreadyExistsError,
  E_PERMISSION_DENIED: PermissionDeniedError,
  E_INVALID_KEY: InvalidKeyError,
  E_UNSUPPORTED_SCHEME: UnsupportedSchemeError,
  E_UNSUPPORTED: UnsupportedOperationError,
  E_AUTH: AuthError,
  E_CHECKSUM: StorageError,
  E_CHANGED: ChangedError,
  E_CONNECTION: StorageError,
  E_TIMEOUT: StorageError,
  E_UNAVAILABLE: StorageError,
  E_TOO_LARGE: StorageError,
  E_INTEGRITY: IntegrityError,
  E_UNKNOWN_DATASET_TYPE: UnknownDatasetTypeError,
  E_DATASET_NOT_FOUND: DatasetNotFoundError,
  E_DATA_ID: DataIdError,
  E_DATASET_CONFLICT: DatasetConflictError,
  E_POLICY: PolicyError,
  E_CONFIG: ConfigError,
  E_REGISTRY: RegistryError,
  E_FORMATTER: FormatterError,
  E_FITS: FitsError,
  E_CLOSED: ClosedError,
  E_USAGE: UsageError,
  E_STORLET: StorletError,
};

/** Fields that the classes always carry, for a report that left them out. */
const DEFAULT_DETAILS: Partial<Record<ErrorCode, Record<string, unknown>>> = {
  E_DATA_ID: { candidates: [] },
  E_UNKNOWN_DATASET_TYPE: { closeNames: [] },
};

/** Every code, in declaration order. */
export const ERROR_CODES: readonly ErrorCode[] = Object.keys(CLASS_OF) as ErrorCode[];

/** Whether a string is one of skybutler's error codes. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === "string" && Object.hasOwn(CLASS_OF, code);
}

/**
 * Rebuilds the error a server reported: an instance of the class its code belongs to, with the
 * message exactly as sent and the class's public fields (`key`, `datasetType` …) from `details`.
 * An unknown code (a newer server) becomes a plain {@link ButlerError} with `E_STORAGE`, so a
 * client never crashes on it.
 *
 * ```ts
 * const err = errorFromCode("E_NOT_FOUND", 'no object at key "a" in http://…', { key: "a" });
 * err instanceof NotFoundError;   // true
 * ```
 */
export function errorFromCode(code: string, message: string, details: Readonly<Record<string, unknown>> = {}): ButlerError {
  const known = isErrorCode(code) ? code : "E_STORAGE";
  // The constructors build their own messages from structured arguments; the server's message is
  // the one to keep, so the instance is made without running them.
  const cls = CLASS_OF[known];
  const err = new ButlerError(known, message);
  Object.setPrototypeOf(err, cls.prototype);
  Object.defineProperty(err, "name", { value: cls.name, writable: true, configurable: true });
  for (const [field, value] of Object.entries({ ...DEFAULT_DETAILS[known], ...details })) {
    if (field !== "code" && field !== "message" && field !== "name" && field !== "stack") {
      Object.defineProperty(err, field, { value, enumerable: true, configurable: true });
    }
  }
  return err;
}
