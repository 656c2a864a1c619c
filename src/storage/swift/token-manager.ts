/**
 * One token per storage: fetched once and shared by concurrent requests, reused until it expires,
 * renewed once when the server refuses it.
 *
 * @packageDocumentation
 */
import type { AuthSession, Authenticator } from "./auth-session.js";

/** Renew this long before the server's stated expiry, so a request never starts with a dying token. */
const EXPIRY_MARGIN_MS = 30_000;

/**
 * Hands out the current session; at most one authentication is in flight at any time.
 *
 * ```ts
 * const tokens = new TokenManager(() => authenticateV1(credentials, agent));
 * const session = await tokens.session();        // concurrent callers share one authentication
 * // on a 401 with session.token:
 * const fresh = await tokens.renew(session);      // one re-auth, however many requests saw the 401
 * ```
 */
export class TokenManager {
  readonly #authenticate: Authenticator;
  #current: AuthSession | undefined;
  #fetchedAt = 0;
  #inFlight: Promise<AuthSession> | undefined;
  #authentications = 0;

  /** @param authenticate - performs one authentication (v1 or Keystone) */
  constructor(authenticate: Authenticator) {
    this.#authenticate = authenticate;
  }

  /** How many authentications were started (diagnostics and tests). */
  get authentications(): number {
    return this.#authentications;
  }

  /**
   * A valid session: the current one unless it is about to expire.
   * @throws AuthError, ConfigError from the authenticator
   */
  session(): Promise<AuthSession> {
    const current = this.#current;
    if (current !== undefined && !this.#expiring(current)) return Promise.resolve(current);
    return this.#fetch();
  }

  /**
   * A session other than `stale` (which the server refused): authenticates again unless another
   * caller already replaced it, so a burst of 401s costs one authentication.
   * @throws AuthError, ConfigError from the authenticator
   */
  renew(stale: AuthSession): Promise<AuthSession> {
    if (this.#current !== undefined && this.#current !== stale) return this.session();
    if (this.#current === stale) this.#current = undefined;
    return this.#fetch();
  }

  /** Forgets the token (on close). */
  clear(): void {
    this.#current = undefined;
  }

  #expiring(session: AuthSession): boolean {
    if (session.expiresAt === undefined) return false;
    // a short-lived token (a test server's) keeps most of its life
    const margin = Math.min(EXPIRY_MARGIN_MS, (session.expiresAt - this.#fetchedAt) / 10);
    return Date.now() >= session.expiresAt - margin;
  }

  #fetch(): Promise<AuthSession> {
    if (this.#inFlight !== undefined) return this.#inFlight;
    this.#authentications++;
    const inFlight = this.#authenticate().then(
      (session) => {
        this.#current = session;
        this.#fetchedAt = Date.now();
        this.#inFlight = undefined;
        return session;
      },
      (err: unknown) => {
        this.#inFlight = undefined;
        throw err;
      },
    );
    this.#inFlight = inFlight;
    return inFlight;
  }
}
