/**
 * `repositoryCfg.yaml`: what a repository records about itself — its mapper (by registered name),
 * mapper arguments, parents and policy overrides. Portable YAML with no language-specific tags
 * (Gen2 wrote `!!python/name:` tags that needed an unsafe loader).
 *
 * @packageDocumentation
 */
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { ConfigError } from "../errors.js";
import type { Storage } from "../storage/storage.js";

/** The keys of a repositoryCfg.yaml. */
const CFG_KEYS = ["mapper", "mapperArgs", "parents", "policy"];

/** The key of the configuration object in a repository's storage. */
export const REPOSITORY_CFG_KEY = "repositoryCfg.yaml";

/** A repository's configuration, with parents as absolute root URIs. */
export interface RepositoryCfg {
  /** Registered mapper name, e.g. `testcam`. */
  mapper: string;
  /** Arguments for the mapper's constructor. */
  mapperArgs: Record<string, unknown>;
  /** Root URIs of the parent repositories, in lookup order. */
  parents: string[];
  /** Policy overrides for this repository only. */
  policy: Record<string, unknown> | null;
}

/**
 * A parent reference as stored: relative to the child's root when both are `file:` URIs (so a
 * repository tree can be moved as a whole), else the absolute URI.
 */
export function relativeParent(childRoot: string, parentRoot: string): string {
  const child = new URL(childRoot + "/");
  const parent = new URL(parentRoot);
  if (child.protocol !== "file:" || parent.protocol !== "file:") return parentRoot;
  const from = decodeURIComponent(child.pathname).split("/").filter(Boolean);
  const to = decodeURIComponent(parent.pathname).split("/").filter(Boolean);
  let common = 0;
  while (common < from.length && common < to.length && from[common] === to[common]) common++;
  const rel = [...Array(from.length - common).fill(".."), ...to.slice(common)].join("/");
  return rel === "" ? "." : rel;
}

/** Resolves a stored parent reference against the child's root URI. */
export function absoluteParent(childRoot: string, stored: string): string {
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(stored)) return stored;
  return new URL(stored, childRoot + "/").href.replace(/\/+$/, "");
}

/**
 * Reads a repository's configuration, or `undefined` when it has none.
 * @throws ConfigError when the file is not a valid configuration (unknown keys included)
 */
export async function readRepositoryCfg(storage: Storage): Promise<RepositoryCfg | undefined> {
  if (!(await storage.exists(REPOSITORY_CFG_KEY))) return undefined;
  const where = storage.uriOf(REPOSITORY_CFG_KEY);
  let doc: unknown;
  try {
    doc = parseYaml((await storage.read(REPOSITORY_CFG_KEY)).toString("utf8"));
  } catch (err) {
    throw new ConfigError(`${where} is not valid YAML: ${(err as Error).message}`, { cause: err });
  }
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw new ConfigError(`${where} must be a YAML mapping with at least a "mapper" key`);
  }
  const raw = doc as Record<string, unknown>;
  // a misspelt key ("parent:", "mappers:") would otherwise be ignored without a word
  const unknown = Object.keys(raw).filter((k) => !CFG_KEYS.includes(k));
  if (unknown.length > 0) {
    throw new ConfigError(`${where}: unknown key(s) ${unknown.map((k) => JSON.stringify(k.slice(0, 64))).join(", ")}; a repository configuration has only ${CFG_KEYS.join(", ")}`);
  }
  if (typeof raw.mapper !== "string" || raw.mapper === "") {
    throw new ConfigError(`${where} names no mapper; add e.g. "mapper: testcam"`);
  }
  const parents = raw.parents ?? [];
  if (!Array.isArray(parents) || !parents.every((p) => typeof p === "string")) {
    throw new ConfigError(`${where}: "parents" must be a list of paths or URIs`);
  }
  const mapperArgs = raw.mapperArgs ?? {};
  if (mapperArgs === null || typeof mapperArgs !== "object" || Array.isArray(mapperArgs)) {
    throw new ConfigError(`${where}: "mapperArgs" must be a mapping`);
  }
  const policy = raw.policy ?? null;
  if (policy !== null && (typeof policy !== "object" || Array.isArray(policy))) {
    throw new ConfigError(`${where}: "policy" must be a mapping`);
  }
  return {
    mapper: raw.mapper,
    mapperArgs: mapperArgs as Record<string, unknown>,
    parents: parents.map((p: string) => absoluteParent(storage.uri, p)),
    policy: policy as Record<string, unknown> | null,
  };
}

/**
 * Writes a repository's configuration atomically, with parents stored relative where possible.
 * @param options - `ifAbsent`: only create it (two processes creating one output race on this)
 * @throws AlreadyExistsError with `ifAbsent` when another writer created it first
 */
export async function writeRepositoryCfg(storage: Storage, cfg: RepositoryCfg, options: { ifAbsent?: boolean } = {}): Promise<void> {
  const doc = {
    mapper: cfg.mapper,
    mapperArgs: cfg.mapperArgs,
    parents: cfg.parents.map((p) => relativeParent(storage.uri, p)),
    policy: cfg.policy,
  };
  await storage.write(REPOSITORY_CFG_KEY, "# skybutler repository configuration\n" + stringifyYaml(doc), options);
}
