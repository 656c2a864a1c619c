/**
 * Where SwiftStorage's credentials come from: explicit storage options, else the environment
 * variables Swift users already have (python-swiftclient's), else the Gen2 URI plus a user name.
 *
 * @packageDocumentation
 */
import { ConfigError } from "../../errors.js";
import { isSecureTransport, withoutUserinfo } from "../url-safety.js";
import type { UriAuthEndpoint } from "./swift-uri.js";

/** v1 auth (tempauth, swauth, most hosted Swift): `GET <authUrl>` with X-Auth-User/X-Auth-Key. */
export interface V1Credentials {
  version: 1;
  authUrl: string;
  /** `account:user` for tempauth. */
  user: string;
  key: string;
}

/** Keystone v3 password auth, scoped to a project. */
export interface KeystoneCredentials {
  version: 3;
  /** Keystone's base URL, with or without the trailing `/v3`. */
  authUrl: string;
  username: string;
  password: string;
  projectName?: string;
  projectId?: string;
  userDomainName?: string;
  userDomainId?: string;
  projectDomainName?: string;
  projectDomainId?: string;
  /** Catalog region of the object-store endpoint; the first one when unset. */
  regionName?: string;
  /** Catalog interface: `public` (default), `internal` or `admin`. */
  interface?: string;
}

/** Credentials of either auth version. */
export type SwiftCredentials = V1Credentials | KeystoneCredentials;

/**
 * Credential fields accepted in the storage options (e.g. a Butler repository's `storageOptions`):
 * those of either auth version. When `authUrl` is given, the environment is not consulted.
 */
export interface SwiftCredentialOptions
  extends Partial<Omit<V1Credentials, "version">>,
    Partial<Omit<KeystoneCredentials, "version" | "authUrl">> {
  /** `1` or `3` (default: 3 when `username`/`password` or a `/v3` URL are given, else 1). */
  authVersion?: string | number;
  /**
   * Send credentials over plain HTTP to a host other than loopback (default false; also
   * `SKYBUTLER_ALLOW_INSECURE_AUTH=1`). Without it such an auth URL is refused: a password in clear
   * text on a network is readable by anyone on the way.
   */
  allowInsecureAuth?: boolean;
}

const V1_VARS = "ST_AUTH, ST_USER and ST_KEY";
const V3_VARS = "OS_AUTH_URL, OS_USERNAME, OS_PASSWORD, OS_PROJECT_NAME (and OS_USER_DOMAIN_NAME, OS_PROJECT_DOMAIN_NAME)";

function str(value: unknown): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  return String(value);
}

function versionOf(raw: string | undefined, authUrl: string, fallback: 1 | 3, source: string): 1 | 3 {
  if (raw === undefined) return /\/v3\/?$/.test(authUrl) ? 3 : fallback;
  const v = raw.replace(/^v/i, "").split(".")[0];
  if (v === "1") return 1;
  if (v === "3") return 3;
  throw new ConfigError(`${source}: auth version "${raw}" is not supported; use 3 (Keystone v3) or 1`);
}

/**
 * Resolves the credentials for a storage.
 * @param options - storage options (explicit credentials win over the environment)
 * @param env - the environment, normally `process.env`
 * @param endpoint - auth URL, version and tenant from a Gen2-style URI, if any
 * @throws ConfigError naming the variables or options to set when something is missing
 * @throws ConfigError when the auth URL is plain HTTP to a host other than loopback and insecure
 *   auth was not allowed, or when a Gen2 URI (which may come from someone else's repository
 *   configuration) names an auth endpoint that the environment's credentials were not configured for
 */
export function resolveCredentials(
  options: SwiftCredentialOptions,
  env: NodeJS.ProcessEnv,
  endpoint?: UriAuthEndpoint,
): SwiftCredentials {
  const credentials = chooseCredentials(options, env, endpoint);
  credentials.authUrl = withoutUserinfo(credentials.authUrl);
  const insecureAllowed = options.allowInsecureAuth === true || env.SKYBUTLER_ALLOW_INSECURE_AUTH === "1";
  if (!insecureAllowed && !isSecureTransport(credentials.authUrl)) {
    throw new ConfigError(
      `refusing to send Swift credentials over plain HTTP to ${credentials.authUrl}: use https, or allow it explicitly ` +
        `(storageOptions.allowInsecureAuth, or SKYBUTLER_ALLOW_INSECURE_AUTH=1) if that network is trusted`,
    );
  }
  return credentials;
}

/** `scheme://host:port` of a URL, for comparing where credentials may go. */
function originOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    return new URL(withoutUserinfo(url)).origin;
  } catch {
    return undefined;
  }
}

function chooseCredentials(options: SwiftCredentialOptions, env: NodeJS.ProcessEnv, endpoint: UriAuthEndpoint | undefined): SwiftCredentials {
  if (str(options.authUrl) !== undefined) return fromOptions(options);
  if (endpoint !== undefined) return fromGen2(options, env, endpoint);
  if (str(env.ST_AUTH) !== undefined) {
    return v1("the environment", str(env.ST_AUTH)!, str(env.ST_USER), str(env.ST_KEY), `set ${V1_VARS}`);
  }
  if (str(env.OS_AUTH_URL) !== undefined) {
    const authUrl = str(env.OS_AUTH_URL)!;
    const version = versionOf(str(env.OS_AUTH_VERSION) ?? str(env.OS_IDENTITY_API_VERSION), authUrl, 3, "OS_AUTH_VERSION");
    if (version === 1) return v1("the environment", authUrl, str(env.OS_USERNAME), str(env.OS_PASSWORD), "set OS_USERNAME and OS_PASSWORD");
    return v3("the environment", {
      authUrl,
      username: str(env.OS_USERNAME),
      password: str(env.OS_PASSWORD),
      projectName: str(env.OS_PROJECT_NAME) ?? str(env.OS_TENANT_NAME),
      projectId: str(env.OS_PROJECT_ID) ?? str(env.OS_TENANT_ID),
      userDomainName: str(env.OS_USER_DOMAIN_NAME),
      userDomainId: str(env.OS_USER_DOMAIN_ID),
      projectDomainName: str(env.OS_PROJECT_DOMAIN_NAME),
      projectDomainId: str(env.OS_PROJECT_DOMAIN_ID),
      regionName: str(env.OS_REGION_NAME),
      interface: str(env.OS_INTERFACE) ?? str(env.OS_ENDPOINT_TYPE)?.replace(/URL$/, ""),
    }, `set ${V3_VARS}`);
  }
  throw new ConfigError(
    `no Swift credentials: set ${V1_VARS} (v1 auth), or ${V3_VARS} (Keystone v3), ` +
      `or pass authUrl with user/key or username/password/projectName in the repository's storageOptions`,
  );
}

function fromOptions(o: SwiftCredentialOptions): SwiftCredentials {
  const authUrl = str(o.authUrl)!;
  const v3Hint = str(o.username) !== undefined || str(o.password) !== undefined ? 3 : 1;
  const version = versionOf(str(o.authVersion), authUrl, v3Hint, "storageOptions.authVersion");
  const hint = "pass them in the repository's storageOptions";
  if (version === 1) return v1("storageOptions", authUrl, str(o.user) ?? str(o.username), str(o.key) ?? str(o.password), `${hint} (user, key)`);
  return v3("storageOptions", {
    authUrl,
    username: str(o.username) ?? str(o.user),
    password: str(o.password) ?? str(o.key),
    projectName: str(o.projectName),
    projectId: str(o.projectId),
    userDomainName: str(o.userDomainName),
    userDomainId: str(o.userDomainId),
    projectDomainName: str(o.projectDomainName),
    projectDomainId: str(o.projectDomainId),
    regionName: str(o.regionName),
    interface: str(o.interface),
  }, `${hint} (username, password, projectName)`);
}

function fromGen2(o: SwiftCredentialOptions, env: NodeJS.ProcessEnv, endpoint: UriAuthEndpoint): SwiftCredentials {
  // A Gen2 URI may come from a repository's recorded parents, written by anyone: the environment's
  // secrets go only to the auth endpoint they were configured for (ST_AUTH / OS_AUTH_URL /
  // SWIFT_AUTH_URL, same scheme, host and port). Explicit storage options are the caller's choice.
  const explicit = str(o.password) ?? str(o.key);
  const configured = [env.ST_AUTH, env.OS_AUTH_URL, env.SWIFT_AUTH_URL].map((u) => originOf(str(u)));
  const target = originOf(endpoint.authUrl);
  if (explicit === undefined && !configured.includes(target)) {
    throw new ConfigError(
      `the Swift URI names the auth endpoint ${endpoint.authUrl}, which the environment's credentials were not configured for; ` +
        `set SWIFT_AUTH_URL (or ST_AUTH / OS_AUTH_URL) to it if it is yours, or pass credentials in storageOptions`,
    );
  }
  // Gen2 read SWIFT_USERNAME/SWIFT_PASSWORD; the usual variables work too
  const user = str(o.username) ?? str(o.user) ?? str(env.SWIFT_USERNAME) ?? str(env.OS_USERNAME) ?? str(env.ST_USER);
  const secret = explicit ?? str(env.SWIFT_PASSWORD) ?? str(env.OS_PASSWORD) ?? str(env.ST_KEY);
  const hint = "set SWIFT_USERNAME and SWIFT_PASSWORD (or OS_USERNAME/OS_PASSWORD), or pass username/password in storageOptions";
  if (endpoint.version === 1) {
    const account = user !== undefined && !user.includes(":") ? `${endpoint.tenant}:${user}` : user;
    return v1("the URI", endpoint.authUrl, account, secret, hint);
  }
  return v3("the URI", {
    authUrl: endpoint.authUrl,
    username: user,
    password: secret,
    projectName: endpoint.tenant,
    userDomainName: str(o.userDomainName) ?? str(env.OS_USER_DOMAIN_NAME),
    userDomainId: str(o.userDomainId) ?? str(env.OS_USER_DOMAIN_ID),
    projectDomainName: str(o.projectDomainName) ?? str(env.OS_PROJECT_DOMAIN_NAME),
    projectDomainId: str(o.projectDomainId) ?? str(env.OS_PROJECT_DOMAIN_ID),
    regionName: str(o.regionName) ?? str(env.OS_REGION_NAME),
    interface: str(o.interface) ?? str(env.OS_INTERFACE),
  }, hint);
}

function v1(source: string, authUrl: string, user: string | undefined, key: string | undefined, hint: string): V1Credentials {
  const missing = [user === undefined ? "a user" : "", key === undefined ? "a key" : ""].filter(Boolean);
  if (missing.length > 0) throw new ConfigError(`Swift v1 auth at ${authUrl} (from ${source}) lacks ${missing.join(" and ")}: ${hint}`);
  return { version: 1, authUrl, user: user!, key: key! };
}

type Partial3 = Omit<KeystoneCredentials, "version" | "username" | "password"> & { username?: string; password?: string };

function v3(source: string, c: Partial3, hint: string): KeystoneCredentials {
  const missing = [
    c.username === undefined ? "a user name" : "",
    c.password === undefined ? "a password" : "",
    c.projectName === undefined && c.projectId === undefined ? "a project" : "",
  ].filter(Boolean);
  if (missing.length > 0) throw new ConfigError(`Keystone v3 auth at ${c.authUrl} (from ${source}) lacks ${missing.join(", ")}: ${hint}`);
  const out: KeystoneCredentials = { version: 3, authUrl: c.authUrl, username: c.username!, password: c.password! };
  for (const k of ["projectName", "projectId", "userDomainName", "userDomainId", "projectDomainName", "projectDomainId", "regionName", "interface"] as const) {
    if (c[k] !== undefined) out[k] = c[k];
  }
  return out;
}

/** Who is authenticating, for messages: auth URL and user, never the secret. */
export function describeCredentials(c: SwiftCredentials): string {
  if (c.version === 1) return `user "${c.user}" at ${c.authUrl}`;
  const project = c.projectName ?? c.projectId;
  return `user "${c.username}" (project "${project}") at ${c.authUrl}`;
}
