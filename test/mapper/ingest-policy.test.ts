/**
 * The `ingest` section of a mapper policy: validated against the policy's dataset types, and what
 * a mapper reports as its ingest rules (with the type's template and storage).
 */
import { expect } from "chai";
import { PolicyError } from "../../src/errors.js";
import { parsePolicy } from "../../src/mapper/policy.js";
import { loadMapper } from "../../src/mapper/index.js";
import "../../mappers/index.js";

const BASE = `
exposures:
  raw: {template: "raw/v%(visit)d_c%(ccd)02d.fits", storage: FitsStorage}
datasets:
  notes: {template: "notes.json", storage: JsonStorage}
`;

describe("policy: ingest", () => {
  it("is validated against the dataset types", () => {
    const ok = parsePolicy(`${BASE}ingest: {datasetType: raw, columns: {visit: VISIT, ccd: CCD}, unique: [visit, ccd]}\n`, "p.yaml");
    expect(ok.ingest).to.deep.equal({ datasetType: "raw", table: "raw", columns: { visit: "VISIT", ccd: "CCD" }, visitTable: true, unique: ["visit", "ccd"] });
    const bad: Array<[string, RegExp]> = [
      ["ingest: {datasetType: calexp, columns: {visit: VISIT}}", /ingest\.datasetType "calexp" must be a dataset type of this policy/],
      ["ingest: {datasetType: raw, columns: {}}", /ingest\.columns names no column/],
      ["ingest: {datasetType: raw, columns: {visit: VISIT}, unique: [ccd]}", /ingest\.unique names "ccd", which is not in ingest\.columns/],
      ["ingest: {datasetType: raw, columns: {visit: 3}}", /ingest\.columns\.visit must be a non-empty string/],
      ["ingest: {datasetType: raw, columns: {visit: VISIT}, translate: {}}", /ingest\.translate is not an ingest setting/],
      ["ingest: [raw]", /ingest must be a mapping/],
    ];
    for (const [text, message] of bad) expect(() => parsePolicy(`${BASE}${text}\n`, "p.yaml"), text).to.throw(PolicyError, message);
  });

  it("testcam's mapper reports its rules with the raw template and storage", async () => {
    const mapper = await (await loadMapper("testcam")).create({});
    expect(mapper.ingestRules?.()).to.deep.include({
      datasetType: "raw",
      template: "raw/v%(visit)d_f%(filter)s_c%(ccd)02d.fits",
      storageName: "FitsStorage",
      table: "raw",
      visitTable: true,
    });
  });
});
