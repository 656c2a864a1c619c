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

-- calibRegistry.sqlite3 (buildCalibRegistry): one table per calibration type, one row per product,
-- with its validity range. Lookups select `? BETWEEN validStart AND validEnd` with the exposure's
-- taiObs, comparing as stored: write ISO-8601 text in the registry's taiObs format.
-- CREATE TABLE flat (calibDate TEXT, validStart TEXT, validEnd TEXT, filter TEXT, ccd INTEGER);
-- CREATE TABLE bias (calibDate TEXT, validStart TEXT, validEnd TEXT, ccd INTEGER);
