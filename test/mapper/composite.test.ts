/**
 * Composite dataset types: the CompositeSpec a mapper builds from the policy (Gen2
 * ButlerComposite + genericAssembler.py). The Butler gets/puts the components; here the spec's
 * assemble/disassemble are exercised directly.
 */
import { expect } from "chai";
import { TestCamMapper } from "../../mappers/testcam/testcam-mapper.js";
import { FormatterError, PolicyError } from "../../src/errors.js";
import type { DataId } from "../../src/data-id.js";
import { CameraMapper } from "../../src/mapper/camera-mapper.js";
import { parsePolicy } from "../../src/mapper/policy.js";
import { registerPythonType, unregisterPythonType } from "../../src/mapper/python-types.js";
import { rejection } from "../../src/testing/assertions.js";

const POLICY = `
exposures:
  raw: {template: "raw/v%(visit)d.fits"}
  calexp: {template: "calexp/v%(visit)d.fits"}
datasets:
  src: {template: "src/v%(visit)d.fits", storage: FitsCatalogStorage}
  generic:
    composite:
      raw: {datasetType: raw, inputOnly: true}
      calexp: {datasetType: calexp}
  classy:
    python: CalexpWithSources
    composite:
      calexp: {datasetType: calexp}
      sources: {datasetType: src, setter: attachSources, getter: detachSources}
  custom:
    composite:
      calexp: {datasetType: calexp}
      src: {datasetType: src}
    assembler: assembleCustom
    disassembler: disassembleCustom
`;

class CalexpWithSources {
  calexp: unknown;
  #sources: unknown;
  readonly calls: string[] = [];
  setCalexp(value: unknown): void {
    this.calls.push("setCalexp");
    this.calexp = value;
  }
  getCalexp(): unknown {
    this.calls.push("getCalexp");
    return this.calexp;
  }
  attachSources(value: unknown): void {
    this.calls.push("attachSources");
    this.#sources = value;
  }
  detachSources(): unknown {
    return this.#sources;
  }
}

class CompositeMapper extends CameraMapper {
  readonly seen: Array<Readonly<Record<string, unknown>>> = [];
  assembleCustom(parts: Record<string, unknown>, dataId: Readonly<Record<string, unknown>>): unknown {
    this.seen.push(dataId);
    return { pair: [parts.calexp, parts.src] };
  }
  disassembleCustom(obj: unknown): Record<string, unknown> {
    const [calexp, src] = (obj as { pair: unknown[] }).pair;
    return { calexp, src };
  }
}

describe("composites", () => {
  const policy = parsePolicy(POLICY, "composite.yaml");
  let mapper: CompositeMapper;
  before(() => {
    registerPythonType("CalexpWithSources", CalexpWithSources);
    mapper = new CompositeMapper({ policy });
  });
  after(() => {
    unregisterPythonType("CalexpWithSources");
  });

  it("maps a composite to its spec: components with their flags, no file", async () => {
    const location = await mapper.map("generic", { visit: "1" });
    expect(location).to.include({ datasetType: "generic", storageName: "Composite", pythonType: "object" });
    expect(location.locations).to.deep.equal([]);
    expect(location.composite!.components).to.deep.equal({
      raw: { datasetType: "raw", inputOnly: true, subset: false },
      calexp: { datasetType: "calexp", inputOnly: false, subset: false },
    });
    expect(mapper.getDatasetTypes()).to.include("generic").and.not.include("generic_filename");
  });

  it("generic assembler: a plain object with one property per component, and back", async () => {
    const spec = (await mapper.map("generic", { visit: 1 })).composite!;
    const obj = spec.assemble({ raw: "R", calexp: "C" }, { visit: 1 });
    expect(obj).to.deep.equal({ raw: "R", calexp: "C" });
    expect(spec.disassemble(obj, { visit: 1 })).to.deep.equal({ raw: "R", calexp: "C" });
    // an inputOnly component may be absent on put; one that put writes may not
    expect(spec.disassemble({ calexp: "C" }, {})).to.deep.equal({ calexp: "C" });
    expect(() => spec.disassemble({ raw: "R" }, {})).to.throw(FormatterError, /no "calexp" component/);
    expect(() => spec.disassemble(42, {})).to.throw(FormatterError);
  });

  it("generic assembler with a registered class: set<Name>() or the policy's setter, get<Name>() or its getter", async () => {
    const spec = (await mapper.map("classy", { visit: 1 })).composite!;
    const obj = spec.assemble({ calexp: "C", sources: "S" }, { visit: 1 }) as CalexpWithSources;
    expect(obj).to.be.instanceOf(CalexpWithSources);
    expect(obj.calls).to.deep.equal(["setCalexp", "attachSources"]);
    expect(spec.disassemble(obj, { visit: 1 })).to.deep.equal({ calexp: "C", sources: "S" });
    expect(obj.calls).to.include("getCalexp");
  });

  it("a named assembler/disassembler is a method of the mapper, called with the data id", async () => {
    const spec = (await mapper.map("custom", { visit: 7 })).composite!;
    expect(spec.assemble({ calexp: 1, src: 2 }, { visit: 7, bbox: { x0: 0 } })).to.deep.equal({ pair: [1, 2] });
    expect(mapper.seen).to.deep.equal([{ visit: 7, bbox: { x0: 0 } }]);
    expect(spec.disassemble({ pair: [3, 4] }, {})).to.deep.equal({ calexp: 3, src: 4 });
  });

  it("resolves <composite>.<component> to the component's dataset type", async () => {
    const location = await mapper.map("classy.sources", { visit: 3 });
    expect(location).to.include({ datasetType: "src", storageName: "FitsCatalogStorage" });
    expect(location.locations).to.deep.equal(["src/v3.fits"]);
    expect(mapper.getDatasetPolicy("classy.sources").name).to.equal("src");
    expect(await rejection(mapper.map("classy.nothing", { visit: 3 }))).to.have.property("message").that.matches(/unknown dataset type/);
  });

  it("refuses, when the mapper is made, a missing assembler method or an unknown component type", async () => {
    expect(() => new CameraMapper({ policy })).to.throw(PolicyError, /assembler "assembleCustom".*no method/);
    const bad = parsePolicy("datasets:\n  c: {composite: {a: {datasetType: nothing}}}\n", "bad.yaml");
    expect(() => new CameraMapper({ policy: bad })).to.throw(PolicyError, /unknown dataset type "nothing"/);
  });

  it("a setter named in the policy must exist on the class", async () => {
    const named = parsePolicy("exposures:\n  raw: {template: r.fits}\ndatasets:\n  c: {python: CalexpWithSources, composite: {raw: {datasetType: raw, setter: setNothing}}}\n", "n.yaml");
    const spec = new CameraMapper({ policy: named }).getComposite("c")!;
    expect(() => spec.assemble({ raw: 1 }, {})).to.throw(PolicyError, /setter "setNothing"/);
  });

  it("testcam ships two composites the Butler can use", async () => {
    const testcam = await TestCamMapper.create();
    const rawAndFlat = (await testcam.map("rawAndFlat", { visit: 1, ccd: 0 })).composite!;
    expect(Object.values(rawAndFlat.components).map((c) => [c.datasetType, c.inputOnly])).to.deep.equal([["raw", true], ["flat", true]]);
    const both = (await testcam.map("calexpAndSrc", { visit: 1, ccd: 0 })).composite!;
    expect(both.disassemble({ calexp: "C", src: "S" }, {} as DataId)).to.deep.equal({ calexp: "C", src: "S" });
  });
});
