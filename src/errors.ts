/**
 * The whole skybutler error hierarchy.
 *
 * Every error carries a stable `code` (`E_*`) so that callers — and a client rebuilding an error
 * sent by the HTTP server as `{code, message}` — can branch on it without parsing messages.
 * Backends translate their native failures (ENOENT, HTTP 404, 401 …) into these same classes.
 * Messages say what to do next and never contain a password or a token.
 *
 * @packageDocumentation
 */

/**
 * Every error code skybutler raises: the one list a client, the HTTP server and `errorFromCode`
 * share. A new error class or code is added here first.
 */
export type ErrorCode =
  // storage
  | "E_STORAGE"
  | "E_NOT_FOUND"
  | "E_ALREADY_EXISTS"
  | "E_PERMISSION_DENIED"
  | "E_INVALID_KEY"
  | "E_UNSUPPORTED_SCHEME"
  | "E_UNSUPPORTED"
  | "E_AUTH"
  | "E_CHECKSUM"
  | "E_CHANGED"
  | "E_CONNECTION"
  | "E_TIMEOUT"
  | "E_UNAVAILABLE"
  | "E_TOO_LARGE"
  | "E_INTEGRITY"
  // datasets and data ids
  | "E_UNKNOWN_DATASET_TYPE"
  | "E_DATASET_NOT_FOUND"
  | "E_DATA_ID"
  | "E_DATASET_CONFLICT"
  // configuration, formats, usage
  | "E_POLICY"
  | "E_CONFIG"
  | "E_REGISTRY"
  | "E_FORMATTER"
  | "E_FITS"
  | "E_CLOSED"
  | "E_USAGE"
  // ---------------------------------------------------------------- storlets
  | "E_STORLET";

/** Options accepted by every skybutler error. */
export interface ButlerErrorOptions {
  /** The lower-level error that caused this one. */
  cause?: unknown;
}

/** Base class of every error skybutler raises on purpose. */
export class ButlerError extends Error {
  /** Stable machine-readable code, e.g. `E_NOT_FOUND`. */
  readonly code: ErrorCode;

  /**
   * @param code - stable error code
   * @param message - a human-readable message that says what to do next
   * @param options - `cause` for chaining
   */
  constructor(code: ErrorCode, message: string, options: ButlerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }
}

// ---------------------------------------------------------------- storage

/** The codes a {@link StorageError} may carry. */
export type StorageErrorCode = Extract<
  ErrorCode,
  | "E_STORAGE"
  | "E_NOT_FOUND"
  | "E_ALREADY_EXISTS"
  | "E_PERMISSION_DENIED"
  | "E_INVALID_KEY"
  | "E_UNSUPPORTED_SCHEME"
  | "E_UNSUPPORTED"
  | "E_AUTH"
  | "E_CHECKSUM"
  | "E_CHANGED"
  | "E_CONNECTION"
  | "E_TIMEOUT"
  | "E_UNAVAILABLE"
  | "E_TOO_LARGE"
  | "E_INTEGRITY"
>;

/** A Storage operation failed. Subclasses say why; the base class is used for I/O failures. */
export class StorageError extends ButlerError {
  /** @param message - what failed; @param options - cause; code defaults to `E_STORAGE` */
  constructor(message: string, options: ButlerErrorOptions & { code?: StorageErrorCode } = {}) {
    super(options.code ?? "E_STORAGE", message, options);
  }
}

/** No object exists at the key. Raised alike for ENOENT and for HTTP 404. */
export class NotFoundError extends StorageError {
  /** @param key - the missing key; @param where - the storage root, for the message */
  constructor(readonly key: string, where: string, options: ButlerErrorOptions = {}) {
    super(`no object at key "${key}" in ${where}`, { ...options, code: "E_NOT_FOUND" });
  }
}

/** A write with `ifAbsent` found an existing object. */
export class AlreadyExistsError extends StorageError {
  /** @param key - the existing key; @param where - the storage root */
  constructor(readonly key: string, where: string, options: ButlerErrorOptions = {}) {
    super(`an object already exists at key "${key}" in ${where}`, {
      ...options,
      code: "E_ALREADY_EXISTS",
    });
  }
}

/** The backend refused the operation (EACCES/EPERM, HTTP 403). */
export class PermissionDeniedError extends StorageError {
  /** @param key - the key; @param where - the storage root */
  constructor(readonly key: string, where: string, options: ButlerErrorOptions = {}) {
    super(`permission denied for key "${key}" in ${where}`, {
      ...options,
      code: "E_PERMISSION_DENIED",
    });
  }
}

/** A key is malformed or would escape the storage root (`..`, absolute, NUL …). */
export class InvalidKeyError extends StorageError {
  /** @param key - the offending key; @param reason - why it was rejected */
  constructor(readonly key: string, reason: string, options: ButlerErrorOptions = {}) {
    super(`invalid storage key ${JSON.stringify(key)}: ${reason}`, {
      ...options,
      code: "E_INVALID_KEY",
    });
  }
}

/** No Storage is registered for a URI scheme. */
export class UnsupportedSchemeError extends StorageError {
  /** @param scheme - the unknown scheme; @param known - the registered ones */
  constructor(readonly scheme: string, known: readonly string[]) {
    super(
      `no storage registered for scheme "${scheme}:"; known schemes: ${known.join(", ")}` +
        ` (register one with registerStorage())`,
      { code: "E_UNSUPPORTED_SCHEME" },
    );
  }
}

/** The backend cannot do this operation at all. */
export class UnsupportedOperationError extends StorageError {
  /** @param message - what is unsupported and what to use instead */
  constructor(message: string) {
    super(message, { code: "E_UNSUPPORTED" });
  }
}

/**
 * Stored bytes do not match the checksum, tag or authentication recorded for them (a flipped bit,
 * a truncated object, a wrong key): never returned as if they were good.
 */
export class IntegrityError extends StorageError {
  /** @param message - which object and which check failed */
  constructor(message: string, options: ButlerErrorOptions = {}) {
    super(message, { ...options, code: "E_INTEGRITY" });
  }
}

/**
 * The object was replaced (or deleted) while it was being read, so the bytes already read and the
 * rest would come from two versions: raised instead of handing on a mix. Read it again.
 */
export class ChangedError extends StorageError {
  /** @param message - which object changed and what to do (read it again) */
  constructor(message: string, options: ButlerErrorOptions = {}) {
    super(message, { ...options, code: "E_CHANGED" });
  }
}

/** Authentication with a remote storage failed. Names the auth URL and user, never the secret. */
export class AuthError extends StorageError {
  /** @param message - must not contain a password or a token */
  constructor(message: string, options: ButlerErrorOptions = {}) {
    super(message, { ...options, code: "E_AUTH" });
  }
}

// ---------------------------------------------------------------- datasets and data ids

/** The dataset type is not defined by the mapper's policy. */
export class UnknownDatasetTypeError extends ButlerError {
  /** @param datasetType - the unknown name; @param closeNames - defined names that look alike */
  constructor(
    readonly datasetType: string,
    readonly closeNames: readonly string[],
  ) {
    const hint = closeNames.length > 0 ? `; did you mean ${closeNames.map((n) => `"${n}"`).join(", ")}?` : "";
    super("E_UNKNOWN_DATASET_TYPE", `unknown dataset type "${datasetType}"${hint}`);
  }
}

/** No repository holds the dataset for this data id. */
export class DatasetNotFoundError extends ButlerError {
  /** @param datasetType - the type asked for; @param dataId - the data id; @param searched - roots searched */
  constructor(
    readonly datasetType: string,
    readonly dataId: Readonly<Record<string, unknown>>,
    searched: readonly string[],
    options: ButlerErrorOptions = {},
  ) {
    super(
      "E_DATASET_NOT_FOUND",
      `no "${datasetType}" dataset for data id ${JSON.stringify(dataId)}` +
        (searched.length > 0 ? ` in ${searched.join(", ")}` : ""),
      options,
    );
  }
}

/**
 * A data id is unusable: a key is missing and cannot be looked up, the lookup is not unique, a value
 * has the wrong type, or a value would make the path escape the repository root.
 */
export class DataIdError extends ButlerError {
  /**
   * @param message - what is wrong and what to add to the data id
   * @param key - the offending key, when there is one
   * @param candidates - values the registry offered, when the lookup was not unique
   */
  constructor(
    message: string,
    readonly key?: string,
    readonly candidates: readonly unknown[] = [],
    options: ButlerErrorOptions = {},
  ) {
    super("E_DATA_ID", message, options);
  }
}

/**
 * A write-once dataset (e.g. a task config) was put again with different content. An identical
 * rewrite is a no-op; a different one is this error, and the stored dataset is unchanged.
 */
export class DatasetConflictError extends ButlerError {
  /** @param datasetType - the type; @param uri - where the existing dataset is */
  constructor(
    readonly datasetType: string,
    readonly uri: string,
  ) {
    super(
      "E_DATASET_CONFLICT",
      `"${datasetType}" is write-once and ${uri} already holds different content; ` +
        `remove it or write to a new output repository`,
    );
  }
}

// ---------------------------------------------------------------- configuration and formats

/** A mapper policy is malformed or inconsistent. */
export class PolicyError extends ButlerError {
  /** @param message - what is wrong, naming the policy file and key */
  constructor(message: string, options: ButlerErrorOptions = {}) {
    super("E_POLICY", message, options);
  }
}

/** A repository configuration or Butler argument is wrong. */
export class ConfigError extends ButlerError {
  /** @param message - what is wrong and how to fix it */
  constructor(message: string, options: ButlerErrorOptions = {}) {
    super("E_CONFIG", message, options);
  }
}

/** A registry could not be opened or queried. */
export class RegistryError extends ButlerError {
  /** @param message - what failed */
  constructor(message: string, options: ButlerErrorOptions = {}) {
    super("E_REGISTRY", message, options);
  }
}

/** No formatter can read or write this object or storage name. */
export class FormatterError extends ButlerError {
  /** @param message - what failed */
  constructor(message: string, options: ButlerErrorOptions = {}) {
    super("E_FORMATTER", message, options);
  }
}

/** A FITS file is malformed, or an object cannot be written as FITS. */
export class FitsError extends ButlerError {
  /**
   * @param message - what is wrong
   * @param hdu - zero-based index of the HDU being read, when known
   * @param offset - byte offset in the file where the problem was found, when known
   */
  constructor(
    message: string,
    readonly hdu?: number,
    readonly offset?: number,
    options: ButlerErrorOptions = {},
  ) {
    const where = [hdu === undefined ? "" : `HDU ${hdu}`, offset === undefined ? "" : `byte ${offset}`]
      .filter(Boolean)
      .join(", ");
    super("E_FITS", where ? `${message} (${where})` : message, options);
  }
}

/** The Butler (or a resource it owns) was used after `close()`. */
export class ClosedError extends ButlerError {
  /** @param what - what was closed */
  constructor(what: string) {
    super("E_CLOSED", `${what} is closed`);
  }
}

/** A command line or request was malformed (unknown option, missing argument, bad `key=value`). */
export class UsageError extends ButlerError {
  /** @param message - what is wrong and how to call it instead */
  constructor(message: string, options: ButlerErrorOptions = {}) {
    super("E_USAGE", message, options);
  }
}

// ---------------------------------------------------------------- storlets

/**
 * A storlet failed: it raised, exited, set bad metadata, stalled past its time limit, ran out of
 * memory, or its sandbox could not be made. The message says which, without the storlet's log
 * (which may hold data); `phase` tells whether any output had been produced.
 */
export class StorletError extends ButlerError {
  /**
   * @param message - what failed (the storlet's name, and why)
   * @param options - `cause`; `phase`: "start" when it failed before its first output byte
   *   (nothing was sent: a GET answers 503), "stream" when it failed after (the output is cut)
   */
  constructor(message: string, options: ButlerErrorOptions & { phase?: "start" | "stream"; log?: string } = {}) {
    super("E_STORLET", message, options);
    this.phase = options.phase ?? "start";
    this.log = options.log ?? "";
  }

  /** Whether output had been produced when it failed. */
  readonly phase: "start" | "stream";
  /** The end of the storlet's log, for its author (a server logs it and never sends it). */
  readonly log: string;
}
