/**
 * Keystone v3 password authentication, scoped to a project; the Swift endpoint is taken from the
 * token's service catalog (type `object-store`, chosen by region and interface).
 *
 * @packageDocumentation
 */
import { request, type Dispatcher } from "undici";
import { AuthError, ConfigError } from "../../errors.js";
import { header, type AuthSession } from "./auth-session.js";
import { describeCredentials, type KeystoneCredentials } from "./credentials.js";

interface CatalogEndpoint {
  interface?: string;
  region?: string;
  region_id?: string;
  url?: string;
}
interface TokenBody {
  token?: { expires_at?: string; catalog?: Array<{ type?: string; endpoints?: CatalogEndpoint[] }> };
}

/** `http://host:5000/v3/auth/tokens` from `http://host:5000`, `…/v3` or `…/v3/`. */
function tokensUrl(authUrl: string): string {
  const base = authUrl.replace(/\/+$/, "");
  return `${/\/v3$/.test(base) ? base : `${base}/v3`}/auth/tokens`;
}

function domain(name: string | undefined, id: string | undefined): { name: string } | { id: string } {
  if (id !== undefined) return { id };
  if (name !== undefined) return { name };
  return { id: "default" }; // what python-swiftclient and the OpenStack CLI assume too
}

function requestBody(c: KeystoneCredentials): unknown {
  const project =
    c.projectId !== undefined ? { id: c.projectId } : { name: c.projectName, domain: domain(c.projectDomainName, c.projectDomainId) };
  return {
    auth: {
      identity: {
        methods: ["password"],
        password: { user: { name: c.username, domain: domain(c.userDomainName, c.userDomainId), password: c.password } },
      },
      scope: { project },
    },
  };
}

/**
 * Picks the object-store endpoint from a catalog.
 * @throws ConfigError naming what the catalog offers when nothing matches
 */
export function objectStoreEndpoint(body: TokenBody, regionName: string | undefined, iface: string | undefined, who: string): string {
  const wanted = (iface ?? "public").replace(/URL$/, "");
  const services = (body.token?.catalog ?? []).filter((s) => s.type === "object-store");
  const endpoints = services.flatMap((s) => s.endpoints ?? []);
  const match = endpoints.find(
    (e) => e.interface === wanted && (regionName === undefined || e.region === regionName || e.region_id === regionName) && e.url,
  );
  if (match?.url === undefined) {
    const offered = endpoints.map((e) => `${e.interface ?? "?"}@${e.region_id ?? e.region ?? "?"}`).join(", ") || "none";
    throw new ConfigError(
      `the Keystone catalog for ${who} has no object-store endpoint for interface "${wanted}"` +
        `${regionName === undefined ? "" : ` in region "${regionName}"`} (offered: ${offered}); set OS_REGION_NAME/OS_INTERFACE or regionName/interface`,
    );
  }
  return match.url.replace(/\/+$/, "");
}

/**
 * Gets a project-scoped token and the object-store URL from the catalog.
 * @throws AuthError naming the auth URL, user and project (never the password) when refused or unreachable
 * @throws ConfigError when the catalog has no matching object-store endpoint
 */
export async function authenticateKeystone(credentials: KeystoneCredentials, dispatcher: Dispatcher): Promise<AuthSession> {
  const who = describeCredentials(credentials);
  let response: Dispatcher.ResponseData;
  try {
    response = await request(tokensUrl(credentials.authUrl), {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(requestBody(credentials)),
      dispatcher,
    });
  } catch (err) {
    throw new AuthError(`cannot reach Keystone for ${who}: ${(err as Error).message}`, { cause: err });
  }
  const { statusCode, headers } = response;
  if (statusCode === 401 || statusCode === 403 || statusCode === 404) {
    await response.body.dump();
    throw new AuthError(
      `Keystone v3 authentication refused (HTTP ${statusCode}) for ${who}: check the user name, password, project and domains (OS_* variables or storageOptions)`,
    );
  }
  const token = header(headers, "x-subject-token");
  let body: TokenBody = {};
  try {
    body = (await response.body.json()) as TokenBody;
  } catch {
    // reported below as a failed authentication, without echoing what the server sent
  }
  if (statusCode >= 300 || token === undefined) {
    throw new AuthError(`Keystone v3 authentication failed (HTTP ${statusCode}${token === undefined ? ", no token" : ""}) for ${who}`);
  }
  const storageUrl = objectStoreEndpoint(body, credentials.regionName, credentials.interface, who);
  const expiresAt = Date.parse(body.token?.expires_at ?? "");
  return { token, storageUrl, ...(Number.isFinite(expiresAt) ? { expiresAt } : {}) };
}
