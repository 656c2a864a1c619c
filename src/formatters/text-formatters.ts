/**
 * Formatters for structured values stored as text or bytes: PickleStorage (`v8.serialize`),
 * JsonStorage, YamlStorage and ConfigStorage.
 *
 * @packageDocumentation
 */
import { readFile, stat } from "node:fs/promises";
import { serialize, deserialize } from "node:v8";
import { parse as parseYaml, stringify as stringifyYaml } from "yaml";
import { FormatterError } from "../errors.js";
import type { FileMetadata, Formatter, FormatterContext } from "./formatter.js";

/** What makes one text/bytes format: how to encode a value and how to decode stored bytes. */
interface Codec {
  storageName: string;
  mediaType: string;
  encode(obj: unknown, ctx: FormatterContext): Uint8Array | string;
  decode(bytes: Buffer): unknown;
}

/**
 * The largest file {@link BufferedFormatter.check} decodes: these formats are read whole, so a
 * check of a larger one would cost its size in memory (a server takes such bodies from clients).
 */
const MAX_CHECKED_BYTES = 64 * 1024 * 1024;

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
    return this.#decode(await ctx.storage.read(ctx.key), () => ctx.storage.uriOf(ctx.key));
  }

  /** Decodes the file as a read would; these formats carry no metadata. */
  async check(path: string, datasetType: string): Promise<FileMetadata> {
    const { size } = await stat(path);
    if (size > MAX_CHECKED_BYTES) {
      throw new FormatterError(`"${datasetType}" is stored as ${this.storageName}, read whole; ${size} bytes is more than the ${MAX_CHECKED_BYTES} accepted`);
    }
    this.#decode(await readFile(path), () => `this file for "${datasetType}"`);
    return {};
  }

  mediaType(): string {
    return this.#codec.mediaType;
  }

  #decode(bytes: Buffer, what: () => string): unknown {
    try {
      return this.#codec.decode(bytes);
    } catch (err) {
      if (err instanceof FormatterError) throw err;
      throw new FormatterError(`cannot read ${what()} as ${this.storageName}: ${(err as Error).message}`, { cause: err });
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
  mediaType: "application/octet-stream",
  encode: (obj) => serialize(obj),
  decode: (bytes) => deserialize(bytes),
});

/** JsonStorage: JSON text (UTF-8, two-space indent). */
export const jsonFormatter: Formatter = new BufferedFormatter({
  storageName: "JsonStorage",
  mediaType: "application/json",
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
  mediaType: "application/yaml",
  encode: (obj) => stringifyYaml(obj),
  decode: (bytes) => parseYaml(bytes.toString("utf8")),
});

/**
 * ConfigStorage: a task configuration, a mapping of field names to values, stored as YAML with a
 * comment naming the dataset type. Reading something that is not a mapping is an error.
 */
export const configFormatter: Formatter = new BufferedFormatter({
  storageName: "ConfigStorage",
  mediaType: "application/yaml",
  encode: (obj, ctx) =>
    `# skybutler config for dataset type "${ctx.location.datasetType}"\n` +
    stringifyYaml(requirePlainObject(obj, "ConfigStorage")),
  decode: (bytes) => requirePlainObject(parseYaml(bytes.toString("utf8")) ?? {}, "ConfigStorage"),
});
