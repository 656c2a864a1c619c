/**
 * What `skybutler info` shows of a repository: its mapper and parents, its registries (tables and
 * row counts, or that the names of its files stand in for one), its storage's capabilities and
 * statistics — plain data, the same on every backend.
 *
 * @packageDocumentation
 */
import type { StorageCapabilities, StorageStatistics } from "../storage/storage.js";
import type { Registry } from "../../registry/registry.js";

/** A registry as described. */
export interface RegistryDescription {
  /** `table`: sqlite (or another database); `template`: the names of the stored files. */
  kind: "table" | "template";
  /** Whether it is a parent's (the repository has none of its own). */
  inherited: boolean;
  /** Rows per table (table registries only). */
  tables?: Record<string, number>;
}

/** A repository as described. */
export interface RepositoryDescription {
  /** The root URI. */
  root: string;
  mode: "r" | "w" | "rw";
  mapper: string;
  /** The recorded parents' roots. */
  parents: string[];
  registry: RegistryDescription | null;
  calibRegistry: RegistryDescription | null;
  /** The dataset type files are ingested as, when the camera says. */
  ingestType: string | null;
  storage: { scheme: string; capabilities: StorageCapabilities; statistics: StorageStatistics };
}

/**
 * Describes a registry: its tables and their row counts (through the Registry contract: the
 * distinct rows of all columns, which are all rows of a table with a UNIQUE key).
 * @throws RegistryError when a table cannot be read
 */
export async function describeRegistry(registry: Registry | undefined, own: Registry | undefined): Promise<RegistryDescription | null> {
  if (registry === undefined) return null;
  const inherited = registry !== own;
  if (registry.kind === "template") return { kind: "template", inherited };
  const tables: Record<string, number> = {};
  for (const table of registry.tables()) {
    const columns = registry.columns(table);
    tables[table] = columns.length === 0 ? 0 : (await registry.lookup(columns, [table], {})).length;
  }
  return { kind: "table", inherited, tables };
}
