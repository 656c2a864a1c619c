/**
 * Parsing of `swift:` root URIs.
 *
 * @packageDocumentation
 */
import { ConfigError } from "../../errors.js";
import { normalizePrefix } from "../keys.js";
import { hasUserinfo, withoutUserinfo } from "../url-safety.js";

/** The auth endpoint a Gen2-style URI names (`swift://host:port/<version>/<tenant>/<container>`). */
export interface UriAuthEndpoint {
  /** `http://host:port/auth/v1.0` (v1) or `http://host:port/v3` (Keystone v3). */
  authUrl: string;
  /** Auth API version: 1 or 3. */
  version: 1 | 3;
  /** The tenant (Keystone project; for v1 the account part of `account:user`). */
  tenant: string;
}

/** A parsed `swift:` root. */
export interface SwiftRoot {
  /** The container holding the repository. */
  container: string;
  /** Object-name prefix of the root inside the container, without a trailing `/`; `""` for the whole container. */
  prefix: string;
  /** Present for the Gen2 form only. */
  endpoint?: UriAuthEndpoint;
  /** The normalised root URI, no trailing slash. */
  uri: string;
}

/** Swift's limit on container names (bytes, UTF-8). */
const MAX_CONTAINER_BYTES = 256;

/**
 * Parses a Swift root URI. Two forms:
 *
 * - `swift://<container>[/<prefix>]` — the account and credentials come from the environment or
 *   the storage options;
 * - Gen2's `swift://<host>:<port>/<version>/<tenant>/<container>[/<prefix>]` (recognised by the
 *   port), whose version `v1.0`/`v1` means tempauth-style v1 auth at `http://host:port/auth/v1.0`
 *   and `v3` means Keystone v3 at `http://host:port/v3`, scoped to the project `<tenant>`.
 *
 * ```ts
 * parseSwiftUri("swift://rawdata/hsc");                       // { container: "rawdata", prefix: "hsc" }
 * parseSwiftUri("swift://keystone.example:5000/v3/lsst/raw"); // endpoint v3, tenant "lsst"
 * ```
 * @throws ConfigError for another scheme, a missing container, an unsupported auth version (v2.0),
 *   or credentials inside the URI (`user:password@`: the message does not repeat them)
 */
export function parseSwiftUri(uri: string): SwiftRoot {
  if (hasUserinfo(uri)) {
    throw new ConfigError(
      `"${withoutUserinfo(uri)}" was given with a user or password before the host; a Swift URI never carries credentials: ` +
        `pass them in the environment (ST_*, OS_*) or in storageOptions`,
    );
  }
  const match = /^swift:\/\/([^/?#]*)(\/[^?#]*)?$/i.exec(uri);
  if (match === null) {
    throw new ConfigError(`"${uri}" is not a Swift root URI; use swift://<container>[/<prefix>] or swift://<host>:<port>/<version>/<tenant>/<container>`);
  }
  const authority = decodeURIComponent(match[1]!);
  const path = (match[2] ?? "").split("/").filter((s) => s !== "").map((s) => decodeURIComponent(s));
  if (/:\d+$/.test(authority)) return parseGen2(uri, authority, path);
  return finish(uri, authority, path.join("/"), undefined, "swift://");
}

function parseGen2(uri: string, hostPort: string, path: string[]): SwiftRoot {
  const [version, tenant, container, ...rest] = path;
  if (version === undefined || tenant === undefined || container === undefined) {
    throw new ConfigError(`"${uri}": the Gen2 form needs swift://<host>:<port>/<version>/<tenant>/<container>`);
  }
  let endpoint: UriAuthEndpoint;
  if (/^v1(\.0)?$/.test(version)) endpoint = { authUrl: `http://${hostPort}/auth/v1.0`, version: 1, tenant };
  else if (/^v3(\.\d+)?$/.test(version)) endpoint = { authUrl: `http://${hostPort}/v3`, version: 3, tenant };
  else {
    throw new ConfigError(
      `"${uri}": auth version "${version}" is not supported; use v3 (Keystone v3; v2.0 was removed from Keystone) or v1.0`,
    );
  }
  return finish(uri, container, rest.join("/"), endpoint, `swift://${hostPort}/${version}/${encodeURIComponent(tenant)}/`);
}

function finish(uri: string, container: string, rawPrefix: string, endpoint: UriAuthEndpoint | undefined, base: string): SwiftRoot {
  if (container === "") throw new ConfigError(`"${uri}" names no container; use swift://<container>[/<prefix>]`);
  if (Buffer.byteLength(container) > MAX_CONTAINER_BYTES) {
    throw new ConfigError(`"${uri}": a container name has at most ${MAX_CONTAINER_BYTES} bytes`);
  }
  let prefix: string;
  try {
    prefix = normalizePrefix(rawPrefix).replace(/\/$/, "");
  } catch (err) {
    throw new ConfigError(`"${uri}" has an invalid prefix: ${(err as Error).message}`, { cause: err });
  }
  const tail = [container, ...(prefix === "" ? [] : prefix.split("/"))].map(encodeURIComponent).join("/");
  return { container, prefix, ...(endpoint === undefined ? {} : { endpoint }), uri: base + tail };
}
