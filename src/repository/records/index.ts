/**
 * Record stores: where a repository records the datasets put into it.
 * @packageDocumentation
 */
export { matchesPartial, type NewRecord, type RecordIntent, type RecordedDataId, type RecordStore } from "./record-store.js";
export { SqliteRecordStore } from "./sqlite-record-store.js";
export { PgRecordStore, PG_RECORDS_TABLE, createRecordsTable, insertRecords } from "./pg-record-store.js";
export { ObjectRecordStore, RECORDS_PREFIX, parseRecordKey, recordKey } from "./object-record-store.js";
export { openRecordStore, openRepositoryDatabase, type OpenRecordStoreOptions, type RepositoryDatabase } from "./open-record-store.js";
