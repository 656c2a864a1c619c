/**
 * What an authentication yields, whatever the auth version.
 *
 * @packageDocumentation
 */

/** A token and the account URL it is valid for. */
export interface AuthSession {
  /** Sent as X-Auth-Token; never put it in a message or a log. */
  readonly token: string;
  /** The account's storage URL, e.g. `http://127.0.0.1:8080/v1/AUTH_test` (no trailing slash). */
  readonly storageUrl: string;
  /** When the server says the token expires (epoch ms), if it says so. */
  readonly expiresAt?: number;
}

/** Authenticates once; a TokenManager decides when to call it. */
export type Authenticator = () => Promise<AuthSession>;

/** Header value as one string (undici may give an array for repeated headers). */
export function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
