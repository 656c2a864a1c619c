/**
 * The data ids of a subset: every registry combination of a level's keys, plus the datasets the
 * repositories recorded (outputs register their puts), without duplicates and without listing
 * directories.
 *
 * @packageDocumentation
 */
import type { DataIdValue } from "../data-id.js";
import type { Mapper } from "../mapper/index.js";
import { canonicalDataId, type Repository } from "../repository/index.js";

/** What {@link subsetDataIds} needs. */
export interface SubsetQuery {
  /** The mapper that defines the dataset type. */
  mapper: Mapper;
  /** The resolved dataset type. */
  datasetType: string;
  /** The level (its keys are enumerated). */
  level: string | undefined;
  /** The partial data id every result contains. */
  dataId: Record<string, DataIdValue>;
  /** The repositories whose records count, in search order. */
  repos: readonly Repository[];
  /** Asks the registries (first non-empty answer wins), as `Butler.queryMetadata`. */
  queryMetadata(keys: string[]): Promise<Array<DataIdValue | DataIdValue[]>>;
}

/** The full data ids of a subset, in registry order then record order. */
export async function subsetDataIds(query: SubsetQuery): Promise<Array<Record<string, DataIdValue>>> {
  const { mapper, datasetType, level, dataId } = query;
  const seen = new Set<string>();
  const out: Array<Record<string, DataIdValue>> = [];
  const identity = identityOf(mapper, datasetType);
  const add = (full: Record<string, DataIdValue>, text?: string) => {
    const id = identity(full, text);
    if (seen.has(id)) return;
    seen.add(id);
    out.push(full);
  };
  const keys = mapper.enumerableKeys(datasetType, level);
  if (keys.length > 0) {
    for (const row of await query.queryMetadata(keys)) {
      const values = Array.isArray(row) ? row : [row];
      add({ ...dataId, ...Object.fromEntries(keys.map((k, i) => [k, values[i]!])) });
    }
  }
  for (const repo of query.repos) {
    // a record's data id holds every key of `dataId` (the query filters on them), so its
    // canonical text is the full data id's
    for (const record of await repo.recordedDataIds(datasetType, dataId)) add(record.dataId, record.text);
  }
  return out;
}

/**
 * What makes two data ids the same dataset: the template's keys (a registry row carries more
 * columns, such as `expTime`, than the record of the file it names). The canonical text of a
 * record whose keys are exactly the template's is used as it is (no re-serialising).
 */
function identityOf(mapper: Mapper, datasetType: string): (full: Record<string, DataIdValue>, text?: string) => string {
  const keys = mapper.identityKeys(datasetType);
  if (keys === undefined) return (full, text) => text ?? canonicalDataId(full);
  return (full, text) => {
    if (text !== undefined && Object.keys(full).length === keys.length && keys.every((k) => k in full)) return text;
    return canonicalDataId(Object.fromEntries(keys.filter((k) => k in full).map((k) => [k, full[k]!])));
  };
}
