/**
 * The Registry conformance suite: the same `it()`s against every registry backend, each loaded
 * with the same sample ({@link REGISTRY_SAMPLE}). What every registry shares — distinct sorted
 * rows, constraints only on the keys it knows, typed errors, `"3"` and `3` as one data-id value,
 * ClosedError after close — runs on table registries (sqlite, PostgreSQL) and on the scanning
 * registry alike; what only tables have (schema, joins, validity ranges) runs on table registries.
 *
 * ```ts
 * describeRegistryConformance({
 *   name: "SqliteRegistry",
 *   kind: "table",
 *   async create(sample) { ... return { registry, calibRegistry, cleanup }; },
 * });
 * ```
 *
 * @packageDocumentation
 */
import { expect } from "chai";
import type { DataId } from "../data-id.js";
import { ClosedError, RegistryError } from "../errors.js";
import type { Registry, RegistryInputRow, RegistryRow, TableRegistry } from "../../registry/index.js";
import { rejection } from "./assertions.js";

/** What every backend loads: exposures, calibrations, and the file-name template of the scanning registry. */
export interface RegistrySample {
  /** One row per raw file: visits 1 (g), 2 (r), 3 (g) with ccds 0–2, visit 4 (r) with ccd 0. */
  exposures: RegistryInputRow[];
  /** Calibration tables (`flat`: two products per filter and ccd, adjacent validity ranges). */
  calibrations: Record<string, RegistryInputRow[]>;
  /** How a scanning registry's files are named (its keys: visit, filter, ccd). */
  template: string;
}

const FILTERS: Record<number, string> = { 1: "g", 2: "r", 3: "g", 4: "r" };

function sampleExposures(): RegistryInputRow[] {
  const rows: RegistryInputRow[] = [];
  for (const visit of [1, 2, 3, 4]) {
    for (const ccd of visit === 4 ? [0] : [0, 1, 2]) {
      rows.push({ visit, ccd, filter: FILTERS[visit]!, expTime: 30.5, taiObs: `2024-01-0${visit}T00:00:00`, dateObs: `2024-01-0${visit}`, field: visit <= 2 ? "F1" : "F2" });
    }
  }
  return rows;
}

function sampleFlats(): RegistryInputRow[] {
  const rows: RegistryInputRow[] = [];
  for (const filter of ["g", "r"]) {
    for (const ccd of [0, 1, 2]) {
      rows.push({ calibDate: "2024-01-01", validStart: "2024-01-01T00:00:00", validEnd: "2024-01-02T12:00:00", filter, ccd });
      rows.push({ calibDate: "2024-01-03", validStart: "2024-01-02T12:00:01", validEnd: "2024-01-05T00:00:00", filter, ccd });
    }
  }
  return rows;
}

/** The sample every backend loads. */
export const REGISTRY_SAMPLE: Readonly<RegistrySample> = Object.freeze({
  exposures: sampleExposures(),
  calibrations: { flat: sampleFlats() },
  template: "raw/v%(visit)d_f%(filter)s_c%(ccd)02d.fits",
});

/** A registry a backend made from the sample. */
export interface RegistryFixture {
  /** The exposure registry (for the scanning kind: the files named by the sample's template). */
  registry: Registry;
  /** The calibration registry (table backends). */
  calibRegistry?: TableRegistry;
  /** Closes what is still open and removes what the fixture made. */
  cleanup(): Promise<void>;
}

/** How to run the suite on one backend. */
export interface RegistryConformanceOptions {
  /** Suite title, e.g. `SqliteRegistry`. */
  name: string;
  /** The registry kind the backend makes. */
  kind: "table" | "template";
  /** Loads the sample into a new registry of this backend (called once per suite). */
  create(sample: Readonly<RegistrySample>): Promise<RegistryFixture>;
  /** Per-hook timeout (a database server may be started on first use). Default 60 s. */
  timeout?: number;
}

/** Asks the exposure registry the one question both kinds answer, through the contract of its kind. */
function ask(registry: Registry, properties: readonly string[], dataId: Readonly<DataId>): Promise<RegistryRow[]> {
  return registry.kind === "table" ? registry.lookup(properties, ["raw"], dataId) : registry.lookup(properties, REGISTRY_SAMPLE.template, dataId);
}

/**
 * Declares the Registry conformance suite for one backend (mocha `describe`/`it`).
 */
export function describeRegistryConformance(options: RegistryConformanceOptions): void {
  describe(`Registry conformance: ${options.name}`, function () {
    this.timeout(options.timeout ?? 60_000);
    let fixture: RegistryFixture | undefined;
    const registry = (): Registry => {
      if (fixture === undefined) throw new Error("the fixture was not created");
      return fixture.registry;
    };
    before(async () => {
      fixture = await options.create(REGISTRY_SAMPLE);
    });
    after(async () => {
      await fixture?.cleanup();
    });

    it(`is a ${options.kind} registry`, () => {
      expect(registry().kind).to.equal(options.kind);
    });

    it("returns distinct rows, sorted by the properties in order", async () => {
      expect(await ask(registry(), ["filter"], { visit: 1 })).to.deep.equal([{ filter: "g" }]);
      expect(await ask(registry(), ["visit"], { filter: "g" })).to.deep.equal([{ visit: 1 }, { visit: 3 }]);
      expect(await ask(registry(), ["filter", "visit"], {})).to.deep.equal([
        { filter: "g", visit: 1 },
        { filter: "g", visit: 3 },
        { filter: "r", visit: 2 },
        { filter: "r", visit: 4 },
      ]);
      expect(await ask(registry(), ["visit", "ccd"], { filter: "r" })).to.deep.equal([
        { visit: 2, ccd: 0 },
        { visit: 2, ccd: 1 },
        { visit: 2, ccd: 2 },
        { visit: 4, ccd: 0 },
      ]);
    });

    it("answers no rows (not an error) when nothing matches", async () => {
      expect(await ask(registry(), ["ccd"], { visit: 99 })).to.deep.equal([]);
      expect(await ask(registry(), ["ccd"], { visit: 4, filter: "g" })).to.deep.equal([]);
    });

    it("constrains only by the data-id keys it knows; other keys are ignored, never put into the query", async () => {
      expect(await ask(registry(), ["ccd"], { visit: 4, tract: 9, "bad key; --": "x", 'q"uote': 1 })).to.deep.equal([{ ccd: 0 }]);
    });

    it('treats "3" and 3 as the same data-id value, and a value of the wrong kind as matching nothing', async () => {
      expect(await ask(registry(), ["filter"], { visit: "3" })).to.deep.equal([{ filter: "g" }]);
      expect(await ask(registry(), ["filter"], { visit: 3 })).to.deep.equal([{ filter: "g" }]);
      expect(await ask(registry(), ["ccd"], { visit: "2", ccd: "1" })).to.deep.equal([{ ccd: 1 }]);
      expect(await ask(registry(), ["filter"], { visit: "g" })).to.deep.equal([]);
    });

    it("binds values afresh for a query of the same shape", async () => {
      const answers = await Promise.all([1, 2, 3, 4, 1, 2, 3, 4].map((visit) => ask(registry(), ["filter"], { visit })));
      expect(answers.map((rows) => rows.map((r) => r.filter).join())).to.deep.equal(["g", "r", "g", "r", "g", "r", "g", "r"]);
    });

    it("raises RegistryError for a property it does not have", async () => {
      expect(await rejection(ask(registry(), ["nope"], {}))).to.be.instanceOf(RegistryError);
      expect(await rejection(ask(registry(), ["visit", "expTime; DROP TABLE raw"], {}))).to.be.instanceOf(RegistryError);
    });

    if (options.kind === "table") describeTableBehaviour(() => fixture!);

    it("raises ClosedError after close, and closing twice is a no-op", async () => {
      const r = registry();
      await r.close();
      await r.close();
      expect(await rejection(ask(r, ["filter"], { visit: 1 }))).to.be.instanceOf(ClosedError);
    });
  });
}

/** What only table registries have: a schema, joins, validity ranges. */
function describeTableBehaviour(fixture: () => RegistryFixture): void {
  const table = (): TableRegistry => {
    const r = fixture().registry;
    if (r.kind !== "table") throw new Error("not a table registry");
    return r;
  };
  const calib = (): TableRegistry => {
    const r = fixture().calibRegistry;
    if (r === undefined) throw new Error("the fixture made no calibration registry");
    return r;
  };

  it("lists tables, columns in declaration order and column types", () => {
    expect(table().tables()).to.deep.equal(["raw", "raw_visit"]);
    expect(table().columns("raw")).to.deep.equal(["visit", "ccd", "filter", "expTime", "taiObs", "dateObs", "field"]);
    expect(table().columns("raw_visit")).to.deep.equal(["visit", "filter", "expTime", "taiObs", "dateObs", "field"]);
    expect(table().columnTypes("raw")).to.deep.equal({ visit: "int", ccd: "int", filter: "str", expTime: "float", taiObs: "str", dateObs: "str", field: "str" });
    expect(table().columns("nope")).to.deep.equal([]);
    expect(table().columnTypes("nope")).to.deep.equal({});
    expect(calib().tables()).to.deep.equal(["flat"]);
  });

  it("natural-joins tables on their shared columns, and every key of either table constrains", async () => {
    expect(await table().lookup(["visit", "ccd"], ["raw", "raw_visit"], { filter: "r" })).to.deep.equal([
      { visit: 2, ccd: 0 },
      { visit: 2, ccd: 1 },
      { visit: 2, ccd: 2 },
      { visit: 4, ccd: 0 },
    ]);
    expect(await table().lookup(["ccd"], ["raw_visit", "raw"], { visit: 4, field: "F2" })).to.deep.equal([{ ccd: 0 }]);
    expect(await table().lookup(["ccd"], ["raw_visit", "raw"], { visit: 4, field: "F1" })).to.deep.equal([]);
    expect(await table().lookup(["expTime"], ["raw_visit"], { visit: 2 })).to.deep.equal([{ expTime: 30.5 }]);
  });

  it("selects a calibration by validity range, both ends inclusive", async () => {
    const at = (value: string) => calib().lookup(["calibDate"], ["flat"], { filter: "g", ccd: 1 }, { range: { value, start: "validStart", end: "validEnd" } });
    expect(await at("2024-01-02T00:00:00")).to.deep.equal([{ calibDate: "2024-01-01" }]);
    expect(await at("2024-01-02T12:00:00")).to.deep.equal([{ calibDate: "2024-01-01" }]);
    expect(await at("2024-01-02T12:00:01")).to.deep.equal([{ calibDate: "2024-01-03" }]);
    expect(await at("2024-01-05T00:00:00")).to.deep.equal([{ calibDate: "2024-01-03" }]);
    expect(await at("2025-01-01T00:00:00")).to.deep.equal([]);
    expect(await calib().lookup(["calibDate"], ["flat"], { filter: "r", ccd: 2 })).to.deep.equal([{ calibDate: "2024-01-01" }, { calibDate: "2024-01-03" }]);
  });

  it("raises RegistryError for an unknown table or validity column, an empty list, or a range value that is neither string nor number", async () => {
    expect(await rejection(table().lookup(["visit"], ["nope"], {}))).to.be.instanceOf(RegistryError);
    expect(await rejection(table().lookup([], ["raw"], {}))).to.be.instanceOf(RegistryError);
    expect(await rejection(table().lookup(["visit"], [], {}))).to.be.instanceOf(RegistryError);
    const range = (start: string, value: unknown = "2024-01-01") => calib().lookup(["calibDate"], ["flat"], {}, { range: { value: value as string, start, end: "validEnd" } });
    expect(await rejection(range("nope"))).to.be.instanceOf(RegistryError);
    expect(await rejection(range("validStart", true))).to.be.instanceOf(RegistryError);
  });
}
