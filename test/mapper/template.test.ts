import { expect } from "chai";
import { fillTemplate, parseTemplate } from "../../src/template.js";
import { DataIdError, PolicyError } from "../../src/errors.js";

describe("Gen2 templates", () => {
  describe("parseTemplate", () => {
    it("finds keys and their types from the conversion character", async () => {
      const { keys } = parseTemplate("a/%(visit)d_%(ccd)02d_%(filter)s_%(exp)f_%(x)05X_%(g)g_%(r)r_%(c)c_%(o)o.fits");
      expect(Object.fromEntries(keys)).to.deep.equal({
        visit: "int", ccd: "int", filter: "str", exp: "float", x: "int", g: "float", r: "str", c: "str", o: "int",
      });
    });

    it("lets the last occurrence of a key decide its type, as Gen2's dict update did", async () => {
      expect(parseTemplate("%(v)s/%(v)d").keys.get("v")).to.equal("int");
      expect(parseTemplate("%(v)d/%(v)s").keys.get("v")).to.equal("str");
    });

    it("treats %% as a literal and refuses malformed or absolute templates", async () => {
      expect([...parseTemplate("100%%/%(v)d").keys.keys()]).to.deep.equal(["v"]);
      expect(fillTemplate("100%%/%(v)d", { v: 1 })).to.equal("100%/1");
      expect(() => parseTemplate("raw/%d.fits")).to.throw(PolicyError, /malformed field/);
      expect(() => parseTemplate("raw/%(visit).fits")).to.throw(PolicyError, /malformed field/);
      expect(() => parseTemplate("raw/%(visit)q")).to.throw(PolicyError);
      expect(() => parseTemplate("/abs/%(visit)d")).to.throw(PolicyError, /absolute/);
      expect(() => parseTemplate("")).to.throw(PolicyError);
    });

    it("refuses a width or precision no file name could hold, at once and without building it", async () => {
      const started = Date.now();
      expect(() => parseTemplate("raw/%(visit)600000000d.fits")).to.throw(PolicyError, /width 600000000; at most 255/);
      expect(() => parseTemplate("raw/%(x).99999999999999999999f")).to.throw(PolicyError, /precision 999999999999…/);
      expect(() => parseTemplate("raw/%(name)256s")).to.throw(PolicyError, /width 256/);
      expect(Date.now() - started).to.be.below(100);
      expect(fillTemplate("raw/%(visit)0255d", { visit: 1 })).to.have.length(259);
    });
  });

  describe("fillTemplate", () => {
    it("fills the testcam templates", async () => {
      expect(fillTemplate("raw/v%(visit)d_f%(filter)s_c%(ccd)02d.fits", { visit: 1, filter: "g", ccd: 3 })).to.equal("raw/v1_fg_c03.fits");
      expect(fillTemplate("config/processCcd.yaml", {})).to.equal("config/processCcd.yaml");
    });

    // Expected values are what Python's % operator prints for the same format.
    const cases: Array<[string, number | string, string]> = [
      ["%(a)05d", 42, "00042"],
      ["%(a)05d", -42, "-0042"],
      ["%(a)-5d|", 42, "42   |"],
      ["%(a)+d", 42, "+42"],
      ["%(a) d", 42, " 42"],
      ["%(a).3d", 5, "005"],
      ["%(a)2d", 123, "123"],
      ["%(a)#06x", 255, "0x00ff"],
      ["%(a)X", 255, "FF"],
      ["%(a)#o", 8, "0o10"],
      ["%(a)f", 1.5, "1.500000"],
      ["%(a)08.3f", -3.14159, "-003.142"],
      ["%(a)e", 12345.678, "1.234568e+04"],
      ["%(a).2E", 0.000123, "1.23E-04"],
      ["%(a)g", 0.0001, "0.0001"],
      ["%(a)g", 0.00001, "1e-05"],
      ["%(a)g", 1234567, "1.23457e+06"],
      ["%(a)#g", 100, "100.000"],
      ["%(a)5.1f", 9.96, " 10.0"],
      ["%(a)5s|", "ab", "   ab|"],
      ["%(a)-5s|", "ab", "ab   |"],
      ["%(a).1s", "ab", "a"],
      ["%(a)05s", "ab", "   ab"],
      ["%(a)s", 7, "7"],
      ["%(a)r", "ab", "'ab'"],
      ["%(a)c", 65, "A"],
    ];
    for (const [template, value, expected] of cases) {
      it(`formats ${template} of ${JSON.stringify(value)} as Python does`, async () => {
        expect(fillTemplate(`x${template}`, { a: value })).to.equal(`x${expected}`);
      });
    }

    it("names the missing key", async () => {
      expect(() => fillTemplate("raw/v%(visit)d_c%(ccd)02d.fits", { visit: 1 }))
        .to.throw(DataIdError, /no "ccd"/)
        .with.property("key", "ccd");
    });

    it("refuses non-integers for integer fields and non-numbers for float fields", async () => {
      for (const bad of [1.5, "1", Number.NaN, 2 ** 60]) {
        expect(() => fillTemplate("v%(visit)d", { visit: bad }), String(bad)).to.throw(DataIdError, /must be an integer/).with.property("key", "visit");
      }
      for (const bad of ["1.5", Number.POSITIVE_INFINITY]) {
        expect(() => fillTemplate("e%(exp)f", { exp: bad }), String(bad)).to.throw(DataIdError, /finite number/).with.property("key", "exp");
      }
    });

    const escapes: Array<[string, string]> = [
      ["../../x", "path separator"],
      ["a/b", "path separator"],
      ["..", '".."'],
      ["a..b", '".."'],
      ["a\\b", "path separator"],
      ["a\u0000b", "control character"],
      ["a\nb", "control character"],
      ["/etc/passwd", "path separator"],
    ];
    for (const [value, why] of escapes) {
      it(`refuses the traversal value ${JSON.stringify(value)}, naming the key`, async () => {
        expect(() => fillTemplate("raw/v%(visit)d_f%(filter)s.fits", { visit: 1, filter: value }))
          .to.throw(DataIdError, why)
          .with.property("key", "filter");
      });
    }

    it("refuses a result that is absolute, empty or has a .. segment, naming the key", async () => {
      expect(() => fillTemplate("%(root)s/raw.fits", { root: "" }))
        .to.throw(DataIdError, /absolute/)
        .with.property("key", "root");
      expect(() => fillTemplate("%(a)s%(b)s/raw.fits", { a: "", b: "" })).to.throw(DataIdError, /absolute/).with.property("key", "a");
      expect(() => fillTemplate("%(drive)s/x", { drive: "C:" })).to.throw(DataIdError, /absolute/);
      expect(() => fillTemplate("%(a)s", { a: "" })).to.throw(DataIdError, /empty path/);
      expect(() => fillTemplate("x/%(a)s.%(b)s/y", { a: "", b: "" })).to.not.throw(); // "x/./y" stays inside
      expect(() => fillTemplate("x/%(a)s.%(b)s/y", { a: ".", b: "" })).to.throw(DataIdError, /escape the repository root/);
    });
  });
});
