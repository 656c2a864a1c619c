/**
 * Deploying a storlet as upstream does: the code is an object in container `storlet` carrying
 * `X-Object-Meta-Storlet-Language`, `-Interface-Version`, `-Object-Metadata`, `-Main` and optionally
 * `-Dependency` (objects in container `dependency`, each with `-Dependency-Version` and optionally
 * `-Dependency-Permissions`). The checks and their messages are upstream's
 * (`validate_storlet_registration`, `validate_dependency_registration`), with JavaScript added as a
 * language (`half.js`, Main `half.HalfStorlet`).
 *
 * @packageDocumentation
 */
import { UsageError } from "../errors.js";
import type { StorletLanguage } from "./sandbox.js";
import { titleCase } from "./storlet-metadata.js";

/** Upstream's container names. */
export const STORLET_CONTAINER = "storlet";
/** Upstream's container of dependencies. */
export const DEPENDENCY_CONTAINER = "dependency";

/** The header prefix of a storlet's registration. */
export const STORLET_META = "x-object-meta-storlet-";

/** A deployed storlet, as its registration headers describe it. */
export interface StorletDeployment {
  /** The object name, e.g. `simple.py`, `half.js`. */
  name: string;
  language: StorletLanguage;
  /** `module.Class`. */
  main: string;
  /** Names of objects in container `dependency`. */
  dependencies: string[];
}

/**
 * The `X-Object-Meta-Storlet-*` parameters of headers, keyed as upstream reads them (`Language`,
 * `Main`, `Dependency-Version` …).
 */
export function registrationParams(headers: Readonly<Record<string, unknown>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower.startsWith(STORLET_META) && value !== undefined) out[titleCase(lower.slice(STORLET_META.length))] = String(value);
  }
  return out;
}

function mandatory(params: Record<string, string>, names: string[]): void {
  for (const name of names) {
    if (!(name in params)) throw new UsageError(`Mandatory parameter is missing: ${name}`);
  }
}

/**
 * Checks a storlet's registration (upstream's rules and messages, plus JavaScript).
 * @param params - from {@link registrationParams}
 * @param name - the object name in container `storlet`
 * @throws UsageError with upstream's message (a 400 on the wire): `Mandatory parameter is missing: Main`,
 *   `Storlet name is incorrect`, `Not supported version specified`, `Main class should be included in storlet file`,
 *   `Submodule is currently not supported`, `Unsupported Language`, `Using the same name for storlet and dependency is not allowed`,
 *   `Duplicated name in dependencies`
 */
export function validateStorletRegistration(params: Record<string, string>, name: string): StorletDeployment {
  mandatory(params, ["Language", "Interface-Version", "Object-Metadata", "Main"]);
  const language = params.Language!.toLowerCase();
  const main = params.Main!;
  let lang: StorletLanguage;
  if (language === "java") {
    throw new UsageError("Unsupported Language: this gateway runs Python and JavaScript storlets, not Java");
  } else if (language === "python") {
    const version = Number(params["Language-Version"] ?? 3);
    if (!Number.isFinite(version)) throw new UsageError("Language-Version is invalid");
    if (Math.trunc(version) !== 3) throw new UsageError("Not supported version specified");
    checkModule(name, main, /\.py$/);
    lang = "python";
  } else if (language === "javascript") {
    checkModule(name, main, /\.m?js$/);
    lang = "javascript";
  } else {
    throw new UsageError("Unsupported Language");
  }
  const dependencies = (params.Dependency ?? "").split(",").filter((d) => d !== "");
  if (dependencies.includes(name)) throw new UsageError("Using the same name for storlet and dependency is not allowed");
  if (new Set(dependencies).size !== dependencies.length) throw new UsageError("Duplicated name in dependencies");
  return { name, language: lang, main, dependencies };
}

function checkModule(name: string, main: string, extension: RegExp): void {
  const match = extension.exec(name);
  if (match === null) throw new UsageError("Storlet name is incorrect");
  if (!main.startsWith(`${name.slice(0, match.index)}.`)) throw new UsageError("Main class should be included in storlet file");
  if (main.split(".").length !== 2) throw new UsageError("Submodule is currently not supported");
}

/**
 * Checks a dependency's registration; returns its permission bits (default 0600).
 * @throws UsageError `Mandatory parameter is missing: Dependency-Version`, `Dependency permission is incorrect`,
 *   `The owner should have rw permission`
 */
export function validateDependencyRegistration(params: Record<string, string>): number {
  mandatory(params, ["Dependency-Version"]);
  const perm = params["Dependency-Permissions"];
  if (perm === undefined) return 0o600;
  if (!/^[0-7]+$/.test(perm.trim())) throw new UsageError("Dependency permission is incorrect");
  const bits = parseInt(perm.trim(), 8);
  if ((bits & 0o600) !== 0o600) throw new UsageError("The owner should have rw permission");
  return bits;
}

/** The registration headers of a storlet (what `skybutler storlet deploy` sends). */
export function storletRegistrationHeaders(deployment: Omit<StorletDeployment, "name">): Record<string, string> {
  return {
    "x-object-meta-storlet-language": deployment.language === "python" ? "Python" : "JavaScript",
    ...(deployment.language === "python" ? { "x-object-meta-storlet-language-version": "3" } : {}),
    "x-object-meta-storlet-interface-version": "1.0",
    "x-object-meta-storlet-object-metadata": "no",
    "x-object-meta-storlet-main": deployment.main,
    ...(deployment.dependencies.length > 0 ? { "x-object-meta-storlet-dependency": deployment.dependencies.join(",") } : {}),
    "content-type": "application/octet-stream",
  };
}

/** The registration headers of a dependency. */
export function dependencyRegistrationHeaders(permissions?: number): Record<string, string> {
  return {
    "x-object-meta-storlet-dependency-version": "1",
    ...(permissions === undefined ? {} : { "x-object-meta-storlet-dependency-permissions": `0${permissions.toString(8)}` }),
    "content-type": "application/octet-stream",
  };
}

/**
 * The language of a storlet file, from its name.
 * @throws UsageError for another extension
 */
export function languageOfFile(name: string): StorletLanguage {
  if (/\.py$/.test(name)) return "python";
  if (/\.m?js$/.test(name)) return "javascript";
  throw new UsageError(`${name}: a storlet is a Python module (.py) or a JavaScript ES module (.js, .mjs)`);
}
