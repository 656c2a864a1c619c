/**
 * Formatters for structured values stored as text or bytes: PickleStorage (`v8.serialize`),
 * JsonStorage, YamlStorage and ConfigStorage.
 *
 * @packageDocumentation
 */
import { serialize, deserialize } from "node:v8";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { FormatterError } from "../errors.js";
import type { Formatter, FormatterContext } from "./formatter.js";

/** What makes one text/bytes format: how to encode a value and how to decode stored bytes. */
interface Codec {
  storageName: string;
  encode(obj: unknown, ctx: FormatterContext): Uint8Array | string;
  decode(bytes: Buffer, ctx: FormatterContext): unknown;
}

/** A formatter that reads and writes the whole object in memory (these datasets are small). */
class BufferedFormatter implements Formatter {
  readonly storageName: string;
  readonly #codec: Codec;

  constructor(codec: Codec) {
    this.storageName = codec.storageName;
    this.#codec = codec;
  }

  /** Only the key itself: these formats have no compressed copies. */
  readCandidates(key: string): string[] {
    return [key];
  }

  async read(ctx: FormatterContext): Promise<unknown> {
    const bytes = await ctx.storage.read(ctx.key);
    try {
      return this.#codec.decode(bytes, ctx);
    } catch (err) {
      if (err instanceof FormatterError) throw err;
      throw new FormatterError(`cannot read ${ctx.storage.uriOf(ctx.key)} as ${this.storageName}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  async write(obj: unknown, ctx: FormatterContext): Promise<void> {
    let encoded: Uint8Array | string;
    try {
      encoded = this.#codec.encode(obj, ctx);
    } catch (err) {
      if (err instanceof FormatterError) throw err;
      throw new FormatterError(
        `cannot write this ${describe(obj)} as ${this.storageName} (dataset type "${ctx.location.datasetType}"): ${(err as Error).message}`,
        { cause: err },
      );
    }
    await ctx.storage.write(ctx.key, encoded);
  }
}

function describe(obj: unknown): string {
  if (obj === null) return "null";
  if (typeof obj === "object") return (obj as object).constructor?.name ?? "object";
  return typeof obj;
}

function requirePlainObject(obj: unknown, storageName: string): Record<string, unknown> {
  if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
    throw new FormatterError(`${storageName} stores a mapping of names to values, got ${describe(obj)}`);
  }
  return obj as Record<string, unknown>;
}

/**
 * PickleStorage: any structured-clone value (objects, arrays, Maps, Sets, Dates, typed arrays,
 * bigints) through `v8.serialize`. Unlike Python's pickle, decoding runs no code.
 */
export const pickleFormatter: Formatter = new BufferedFormatter({
  storageName: "PickleStorage",
  encode: (obj) => serialize(obj),
  decode: (bytes) => deserialize(bytes),
});

/** JsonStorage: JSON text (UTF-8, two-space indent). */
export const jsonFormatter: Formatter = new BufferedFormatter({
  storageName: "JsonStorage",
  encode: (obj) => {
    const text = JSON.stringify(obj, null, 2);
    if (text === undefined) throw new FormatterError(`JsonStorage cannot store ${describe(obj)}`);
    return text + "\n";
  },
  decode: (bytes) => JSON.parse(bytes.toString("utf8")),
});

/** YamlStorage: YAML text; decoding uses the YAML 1.2 core schema (no language-specific tags). */
export const yamlFormatter: Formatter = new BufferedFormatter({
  storageName: "YamlStorage",
  encode: (obj) => stringifyYaml(obj),
  decode: (bytes) => parseYaml(bytes.toString("utf8")),
});

/**
 * ConfigStorage: a task configuration, a mapping of field names to values, stored as YAML with a
 * comment naming the dataset type. Reading something that is not a mapping is an error.
 */
export const configFormatter: Formatter = new BufferedFormatter({
  storageName: "ConfigStorage",
  encode: (obj, ctx) =>
    `# skybutler config for dataset type "${ctx.location.datasetType}"\n` +
    stringifyYaml(requirePlainObject(obj, "ConfigStorage")),
  decode: (bytes) => requirePlainObject(parseYaml(bytes.toString("utf8")) ?? {}, "ConfigStorage"),
});
