/**
 * Fuzzing: property-based runs (fast-check) of the FITS header reader, the image and table
 * readers (on mutated valid files: bit flips, truncations, card rewrites), the template parser and
 * the data id normaliser. The property: any input either works or throws a ButlerError — anything
 * else (a TypeError, a RangeError, a crash) counts.
 */
import fc from "fast-check";
import { ButlerError, normalizeDataId } from "../../src/testing/index.js";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseHeaderBytes, writeFits, type HduInput } from "../../src/fits/index.js";
import { Header } from "../../src/image/index.js";
import { fillTemplate, parseTemplate } from "../../src/template.js";
import type { RunContext } from "./context.js";
import type { Figure } from "./figures.js";
import { readAll } from "./read-fits.js";

const SECTION = "fuzzing";

/** Runs `fn`; an error that is not a ButlerError is returned (a finding). */
async function untyped(fn: () => unknown): Promise<unknown> {
  try {
    await fn();
    return undefined;
  } catch (err) {
    return err instanceof ButlerError ? undefined : err;
  }
}


/** Small valid files to mutate: an image, a binary table, a compressed image. */
async function seeds(dir: string): Promise<Uint8Array[]> {
  const pixels = Int16Array.from({ length: 64 }, (_, i) => i * 3);
  const inputs: HduInput[][] = [
    [{ kind: "image", data: Float32Array.from(pixels, (v) => v * 0.5), shape: [8, 8], header: Header.fromObject({ OBJECT: "x" }) }],
    [{ kind: "bintable", columns: { A: Int32Array.from([1, 2, 3]), B: Float64Array.from([1.5, 2.5, 3.5]) } } as HduInput],
    [{ kind: "image", data: pixels, shape: [8, 8], compression: "RICE_1" } as HduInput],
  ];
  const out: Uint8Array[] = [];
  for (const [n, hdus] of inputs.entries()) {
    const path = join(dir, `seed-${n}.fits`);
    await writeFits(path, hdus);
    out.push(new Uint8Array(readFileSync(path)));
  }
  return out;
}

/** Runs the section. */
export async function fuzzing(ctx: RunContext): Promise<Figure[]> {
  const numRuns = ctx.sizes.fuzzRuns;
  const findings: Array<{ target: string; input: string; error: string }> = [];
  const note = (target: string, input: unknown, err: unknown) => {
    if (err === undefined) return true;
    if (findings.length < 20) findings.push({ target, input: JSON.stringify(input)?.slice(0, 200) ?? String(input), error: String(err).slice(0, 200) });
    return false;
  };
  const check = async (target: string, arb: fc.Arbitrary<unknown>, fn: (v: never) => unknown) => {
    await fc.assert(fc.asyncProperty(arb, async (v) => { note(target, v, await untyped(() => fn(v as never))); }), { numRuns, seed: ctx.seed | 0 });
  };
  let files: Uint8Array[] = [];
  try {
    mkdirSync(join(ctx.work, "fuzz"), { recursive: true });
    files = await seeds(join(ctx.work, "fuzz"));
  } catch (err) {
    note("seed files", "writeFits", err);
  }
  const started = Date.now();
  // header bytes: random printable cards, and valid headers with one card rewritten
  await check("FITS header reader", fc.array(fc.stringMatching(/^[ -~]{0,80}$/), { maxLength: 40 }), (cards: string[]) => {
    const text = [...cards.map((c) => c.padEnd(80)), "END".padEnd(80)].join("");
    const bytes = Buffer.alloc(Math.ceil(text.length / 2880) * 2880, " ");
    bytes.write(text, "latin1");
    return parseHeaderBytes(bytes);
  });
  if (files.length > 0) {
    const mutation = fc.record({
      file: fc.nat({ max: files.length - 1 }),
      flips: fc.array(fc.record({ at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), { maxLength: 8 }),
      cut: fc.option(fc.nat(), { nil: undefined }),
      card: fc.option(fc.record({ at: fc.nat({ max: 20 }), text: fc.stringMatching(/^[A-Z0-9]{1,8}= {1,3}[-+0-9.E'A-Z ]{0,20}$/) }), { nil: undefined }),
    });
    await check("FITS image and table readers (mutated files)", mutation, (m: { file: number; flips: Array<{ at: number; value: number }>; cut?: number; card?: { at: number; text: string } }) => {
      const bytes = Uint8Array.from(files[m.file]!);
      for (const f of m.flips) bytes[f.at % bytes.length] = f.value;
      if (m.card !== undefined) Buffer.from(bytes.buffer).write(m.card.text.padEnd(80).slice(0, 80), m.card.at * 80, "latin1");
      return readAll(m.cut === undefined ? bytes : bytes.subarray(0, m.cut % (bytes.length + 1)));
    });
  }
  await check("template parser", fc.oneof(fc.string({ maxLength: 60 }), fc.stringMatching(/^[a-z/]{0,5}(%\([a-z]{1,5}\)[-+ #0]{0,2}[0-9]{0,12}(\.[0-9]{0,12})?[a-zA-Z%]?[a-z/._]{0,5}){1,3}$/)), (t: string) => {
    const parsed = parseTemplate(t);
    return fillTemplate(t, Object.fromEntries([...parsed.keys].map(([k, type], i) => [k, type === "str" ? `s${i}` : i + 1])));
  });
  const value = fc.oneof(fc.string({ maxLength: 20 }), fc.double(), fc.integer(), fc.constant(null), fc.boolean(), fc.array(fc.integer(), { maxLength: 3 }), fc.object({ maxDepth: 1 }), fc.bigInt());
  await check("data id normaliser", fc.tuple(fc.dictionary(fc.constantFrom("visit", "ccd", "filter", "x", "__proto__", "constructor"), value), fc.dictionary(fc.constantFrom("visit", "ccd", "filter"), fc.constantFrom("int", "float", "str"))), ([id, types]: [Record<string, unknown>, Record<string, "int" | "float" | "str">]) => normalizeDataId(id, types));
  return [
    { section: SECTION, scenario: "crashes other than typed errors", value: findings.length, promise: "zero", detail: `fast-check, ${numRuns} runs × 4 properties (FITS header reader, image/table readers on mutated files, template parser, data id normaliser), ${((Date.now() - started) / 1000).toFixed(0)} s` + (findings.length > 0 ? `: ${findings.slice(0, 3).map((f) => `${f.target} ${f.input} → ${f.error}`).join("; ")}` : "") },
  ];
}
