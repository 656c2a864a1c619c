/**
 * Swift v1 authentication (tempauth, swauth and most hosted Swift): `GET <authUrl>` with
 * X-Auth-User and X-Auth-Key, answered with X-Auth-Token and X-Storage-Url.
 *
 * @packageDocumentation
 */
import { request, type Dispatcher } from "undici";
import { AuthError } from "../../errors.js";
import { header, type AuthSession } from "./auth-session.js";
import { describeCredentials, type V1Credentials } from "./credentials.js";

/**
 * Gets a token and the storage URL.
 * @throws AuthError naming the auth URL and user (never the key) when refused or unreachable
 */
export async function authenticateV1(credentials: V1Credentials, dispatcher: Dispatcher): Promise<AuthSession> {
  const who = describeCredentials(credentials);
  let response: Dispatcher.ResponseData;
  try {
    response = await request(credentials.authUrl, {
      method: "GET",
      headers: { "x-auth-user": credentials.user, "x-auth-key": credentials.key },
      dispatcher,
    });
  } catch (err) {
    throw new AuthError(`cannot reach the Swift auth service for ${who}: ${(err as Error).message}`, { cause: err });
  }
  await response.body.dump();
  const { statusCode, headers } = response;
  if (statusCode === 401 || statusCode === 403) {
    throw new AuthError(`Swift v1 authentication refused (HTTP ${statusCode}) for ${who}: check the user and key (ST_USER/ST_KEY or storageOptions)`);
  }
  const token = header(headers, "x-auth-token");
  const storageUrl = header(headers, "x-storage-url");
  if (statusCode >= 300 || token === undefined || storageUrl === undefined) {
    throw new AuthError(`Swift v1 authentication failed (HTTP ${statusCode}${token === undefined ? ", no token" : ""}) for ${who}`);
  }
  const expires = Number(header(headers, "x-auth-token-expires"));
  return {
    token,
    storageUrl: storageUrl.replace(/\/+$/, ""),
    ...(Number.isFinite(expires) && expires > 0 ? { expiresAt: Date.now() + expires * 1000 } : {}),
  };
}
