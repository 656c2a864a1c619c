/**
 * The `args` of `skybutler modules add`: `--args-json JSON` (or `@FILE`, or `-` for stdin, which
 * keep secrets out of the process list and the shell history), then `--arg key=value` pairs on top.
 *
 * @packageDocumentation
 */
import { readFile } from "node:fs/promises";
import { text } from "node:stream/consumers";
import { UsageError } from "../errors.js";

/** Collects repeated `--arg` values (commander's argument parser). */
export function collectArg(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * `key=value` pairs as an object. Values stay strings (numeric args accept them); a key given
 * twice becomes a list (a mirror's `over`).
 * @throws UsageError for a pair without `=` or with an empty key
 */
export function parseArgPairs(pairs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    // the value is never echoed: it may be a secret
    if (eq <= 0) throw new UsageError(`--arg expects key=value; got an argument ${eq === 0 ? "with an empty key" : "without \"=\""}`);
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    const before = out[key];
    out[key] = before === undefined ? value : Array.isArray(before) ? [...before, value] : [before, value];
  }
  return out;
}

/**
 * The object of `--args-json`: JSON text, `@FILE` (the file's JSON) or `-` (stdin's).
 * @throws UsageError when it is not a JSON object (the text is not echoed) or the file cannot be read
 */
export async function readArgsJson(spec: string): Promise<Record<string, unknown>> {
  let source = "--args-json";
  let json = spec;
  if (spec === "-") {
    source = "--args-json - (stdin)";
    json = await text(process.stdin);
  } else if (spec.startsWith("@")) {
    source = `--args-json ${spec}`;
    try {
      json = await readFile(spec.slice(1), "utf8");
    } catch (err) {
      throw new UsageError(`${source}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new UsageError(`${source} is not valid JSON; give an object such as {"over": "swift://"}`);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) throw new UsageError(`${source} must be a JSON object of args`);
  return value as Record<string, unknown>;
}
