#!/usr/bin/env node
/**
 * `skybutler` command line: look into a repository without writing code.
 *
 * ```sh
 * skybutler types data/testcam-repo
 * skybutler query data/testcam-repo raw visit filter --where ccd=0
 * skybutler uri data/testcam-repo raw visit=1 ccd=0
 * skybutler ls data/testcam-repo raw/
 * ```
 * @packageDocumentation
 */
import { parseArgs } from "node:util";
import { Butler } from "../butler/butler.js";
import { ButlerError, UsageError } from "../errors.js";
import { storageFromUri } from "../storage/index.js";
import type { DataIdValue } from "../data-id.js";

const USAGE = `usage:
  skybutler types <repo>                                dataset types of the repository's mapper
  skybutler keys <repo> <type>                          data id keys of a dataset type
  skybutler query <repo> <type> <key>... [--where k=v]  registry values (queryMetadata)
  skybutler uri <repo> <type> k=v...                    where a dataset is
  skybutler ls <repo> [prefix]                          objects in the repository's storage`;

/** Parses `k=v` words into a data id; integers become numbers. */
function parseDataId(words: string[]): Record<string, DataIdValue> {
  const id: Record<string, DataIdValue> = {};
  for (const word of words) {
    const eq = word.indexOf("=");
    if (eq <= 0) throw new UsageError(`expected key=value, got "${word}"`);
    const value = word.slice(eq + 1);
    id[word.slice(0, eq)] = /^-?\d+$/.test(value) ? Number(value) : value;
  }
  return id;
}

async function withButler<T>(repo: string, fn: (butler: Butler) => Promise<T>): Promise<T> {
  const butler = await Butler.create({ inputs: repo });
  try {
    return await fn(butler);
  } finally {
    await butler.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { where: { type: "string", multiple: true }, help: { type: "boolean", short: "h" } },
  });
  const [command, repo, ...rest] = positionals;
  if (values.help || command === undefined || repo === undefined) {
    console.log(USAGE);
    if (!values.help) process.exitCode = 2;
    return;
  }
  switch (command) {
    case "types":
      return withButler(repo, async (b) => void console.log(b.getDatasetTypes().join("\n")));
    case "keys":
      return withButler(repo, async (b) => {
        for (const [k, t] of Object.entries(b.getKeys(rest[0] ?? ""))) console.log(`${k}\t${t}`);
      });
    case "query":
      return withButler(repo, async (b) => {
        const [type, ...keys] = rest;
        const rows = await b.queryMetadata(type ?? "", keys, parseDataId(values.where ?? []));
        for (const row of rows) console.log(Array.isArray(row) ? row.join("\t") : String(row));
      });
    case "uri":
      return withButler(repo, async (b) => void console.log(await b.getUri(rest[0] ?? "", parseDataId(rest.slice(1)))));
    case "ls": {
      const storage = await storageFromUri(repo);
      try {
        for await (const key of storage.list({ prefix: rest[0] })) console.log(key);
      } finally {
        await storage.close();
      }
      return;
    }
    default:
      console.error(`unknown command "${command}"\n${USAGE}`);
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  // Typed errors carry a message written for users; anything else is a bug worth a stack trace.
  if (err instanceof ButlerError) console.error(`skybutler: ${err.message} [${err.code}]`);
  else console.error(err);
  process.exitCode = 1;
});
