/**
 * Who may do what: Bearer tokens (pfurl's lower-case `bearer` too) with a scope, reads open to
 * anyone with `--public-read`, every write refused on a `--read-only` server.
 *
 * @packageDocumentation
 */
import type { IncomingHttpHeaders } from "node:http";
import { AuthError } from "../errors.js";
import { errorFromCode } from "../error-from-code.js";
import { scopeAllows, type Scope, type TokenTable } from "./token-file.js";

/** The access settings of a server. */
export interface AccessOptions {
  /** Known tokens; none when the server was started without a token file. */
  tokens: TokenTable | undefined;
  /** Reads need no token. */
  publicRead: boolean;
  /** Every write is refused (403), whatever the token. */
  readOnly: boolean;
}

/**
 * Checks requests against the server's access settings.
 *
 * ```ts
 * policy.require(request.headers, "write", "PUT raw/v1.fits in repo cam");  // throws when not allowed
 * ```
 */
export class AccessPolicy {
  readonly #options: AccessOptions;

  /** @param options - tokens, public reads, read-only */
  constructor(options: AccessOptions) {
    this.#options = options;
  }

  /** Whether the server refuses every write. */
  get readOnly(): boolean {
    return this.#options.readOnly;
  }

  /**
   * Allows the request or throws.
   * @param headers - the request's headers (only Authorization is read, and never logged)
   * @param needed - the scope the operation needs
   * @param what - the operation, for the message (no secret in it)
   * @param writes - whether the operation changes anything (a read-only server refuses it);
   *   default: whatever needs more than `read` (an admin's read passes `false`)
   * @throws PermissionDeniedError (403) on a read-only server for a write, or when the token's scope is too small;
   *   AuthError (401) when a needed token is missing or unknown
   */
  require(headers: IncomingHttpHeaders, needed: Scope, what: string, writes = needed !== "read"): void {
    if (writes && this.#options.readOnly) {
      throw errorFromCode("E_PERMISSION_DENIED", `${what}: this server is read-only`);
    }
    if (needed === "read" && this.#options.publicRead) return;
    const token = bearerToken(headers.authorization);
    if (token === undefined) {
      throw new AuthError(`${what} needs a token with scope "${needed}": send "Authorization: Bearer TOKEN"`);
    }
    const held = this.#options.tokens?.scopeOf(token);
    if (held === undefined) throw new AuthError(`${what}: the token is not valid on this server`);
    if (!scopeAllows(held, needed)) {
      throw errorFromCode("E_PERMISSION_DENIED", `${what} needs scope "${needed}"; this token has scope "${held}"`);
    }
  }
}

/** The token of an `Authorization: Bearer TOKEN` header (any case of "Bearer"), or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? "");
  return match?.[1];
}
