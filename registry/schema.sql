-- The Gen2 registry layout that buildRegistry() writes (registry/build-registry.ts) for the usual
-- raw-file metadata. Columns follow the input rows, so this is the typical shape, not a fixed one:
-- integer columns are INTEGER, other numbers REAL, everything else TEXT. There is no surrogate `id`
-- column: `raw NATURAL JOIN raw_visit` must join on the shared data-id columns only.

-- one row per raw file (visit x ccd)
CREATE TABLE raw (
  visit   INTEGER,
  ccd     INTEGER,
  filter  TEXT,
  expTime REAL,
  taiObs  TEXT,
  dateObs TEXT,
  field   TEXT,
  UNIQUE (visit, ccd)
);

-- one row per visit: the keys the mapper's fast path looks up from `visit` alone
CREATE TABLE raw_visit (
  visit   INTEGER,
  filter  TEXT,
  expTime REAL,
  taiObs  TEXT,
  dateObs TEXT,
  field   TEXT,
  UNIQUE (visit)
);

-- calibRegistry.sqlite3 (later issue): one table per calibration type with a validity range, e.g.
-- CREATE TABLE flat (calibDate TEXT, validStart TEXT, validEnd TEXT, filter TEXT, ccd INTEGER);
