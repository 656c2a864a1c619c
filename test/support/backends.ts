/**
 * Which storage backends the conformance suites run on, chosen by the `STORAGES` environment
 * variable: a comma-separated list (`STORAGES=posix`, `STORAGES=posix,swift`, `STORAGES=modules`);
 * unset or empty runs them on every backend. An unknown name is an error, so that a typo cannot
 * silently run nothing. A wrapper stack runs when its base (`posix` or `swift`) or `modules` is
 * selected.
 *
 * ```ts
 * forBackend("swift", () => describeButlerConformance({ name: "Swift", … }));
 * ```
 */

/** The backends the conformance suites know, in the order they run. */
export const BACKENDS = ["posix", "swift", "s3", "http", "modules"] as const;

/** A backend name accepted in `STORAGES`. */
export type BackendName = (typeof BACKENDS)[number];

/**
 * The backends selected by a `STORAGES` value.
 * @param value - the variable's value (default: the environment's)
 * @throws Error naming the known backends when the value lists an unknown one
 */
export function selectedBackends(value: string | undefined = process.env.STORAGES): BackendName[] {
  const names = (value ?? "")
    .split(",")
    .map((n) => n.trim().toLowerCase())
    .filter((n) => n !== "");
  if (names.length === 0) return [...BACKENDS];
  const unknown = names.filter((n) => !(BACKENDS as readonly string[]).includes(n));
  if (unknown.length > 0) {
    throw new Error(`STORAGES=${value}: unknown backend(s) ${unknown.join(", ")}; known: ${BACKENDS.join(", ")}`);
  }
  return BACKENDS.filter((b) => names.includes(b));
}

/** Whether `STORAGES` selects any of `names`. @throws Error when `STORAGES` names an unknown backend */
export function selectsAny(names: readonly BackendName[]): boolean {
  const selected = selectedBackends();
  return names.some((n) => selected.includes(n));
}

/**
 * Declares a backend's conformance suites (and its backend-specific tests) only when `STORAGES`
 * selects it; otherwise nothing is declared, so nothing is reported as skipped.
 * @throws Error when `STORAGES` names an unknown backend
 */
export function forBackend(name: BackendName, declare: () => void): void {
  if (selectsAny([name])) declare();
}
