/**
 * `registry build`: a repository's `registry.sqlite3` rebuilt from the files it stores (Gen2's
 * `genInputRegistry.py`): every object its ingest type's template names is checked by the
 * formatter, its metadata read into a row by the camera's ingest rules, and the registry written
 * whole (through a pending file, so readers see the old one or the new one).
 *
 * @packageDocumentation
 */
import { ButlerError, DataIdError, RegistryError, type ErrorCode } from "../errors.js";
import { formatterFor } from "../formatters/index.js";
import type { Mapper } from "../mapper/index.js";
import type { Storage } from "../storage/storage.js";
import { buildRegistry } from "../../registry/build-registry.js";
import { templateScanner } from "../../registry/scan/template-scanner.js";
import { ingestRulesOf } from "./ingest.js";
import { ingestRow } from "./ingest-row.js";
import { REGISTRY_KEY } from "./registry-keys.js";

/** What a build did. */
export interface RegistryBuildReport {
  /** Rows per table written. */
  tables: Record<string, number>;
  /** Objects whose metadata could not be read into a row (left out of the registry). */
  failed: Array<{ key: string; code: ErrorCode; message: string }>;
}

/**
 * Rebuilds the registry from the stored files (a remote repository's files are downloaded one at
 * a time for their headers).
 * @throws ConfigError without ingest rules; RegistryError when no stored file yields a row, or
 *   the rows conflict (two files for one visit and ccd); StorageError
 */
export async function buildRegistryFromFiles(storage: Storage, mapper: Mapper): Promise<RegistryBuildReport> {
  const rules = ingestRulesOf(mapper);
  const formatter = formatterFor(rules.storageName);
  if (formatter.check === undefined) throw new RegistryError(`"${rules.datasetType}" is stored as ${rules.storageName}, whose formatter cannot read files' metadata`);
  const scanner = templateScanner(rules.template);
  const rows: Array<Record<string, string | number>> = [];
  const failed: RegistryBuildReport["failed"] = [];
  for await (const key of storage.list({ prefix: scanner.prefix })) {
    const named = scanner.parse(key);
    if (named === undefined) continue;
    try {
      const local = await storage.getLocalFile(key);
      let row;
      try {
        row = ingestRow(await formatter.check(local.path, rules.datasetType), rules);
      } finally {
        await local.release();
      }
      // a file's name and its header must agree, or the registry would send lookups to another file
      const clash = Object.keys(named).find((k) => row[k] !== undefined && String(row[k]) !== String(named[k]));
      if (clash !== undefined) throw new DataIdError(`its metadata says ${clash}=${row[clash]}, its name ${clash}=${named[clash]}`, clash);
      rows.push(row);
    } catch (err) {
      if (!(err instanceof ButlerError)) throw err;
      failed.push({ key, code: err.code, message: err.message });
    }
  }
  if (rows.length === 0) {
    throw new RegistryError(`no stored file yields a registry row: none matches "${rules.template}"${failed.length > 0 ? ` with readable metadata (${failed.length} failed)` : ""}; ingest files first`);
  }
  await using pending = await storage.createLocalFile(REGISTRY_KEY, { suffix: ".sqlite3" });
  const { tables } = buildRegistry(pending.path, rows, { table: rules.table, unique: rules.unique, visitTable: rules.visitTable, visitColumns: rules.visitColumns });
  await pending.commit();
  return { tables, failed };
}
