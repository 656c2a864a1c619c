/**
 * The JavaScript storlet contract, the twin of upstream's Python interface 1.0. A storlet is an ES
 * module exporting a class that is built with a logger and whose `invoke` transforms its inputs
 * into its one output:
 *
 * ```ts
 * // half.ts → compile to half.js; deploy with Main "half.HalfStorlet"
 * import type { Storlet, StorletInputFile, StorletLogger, StorletOutputFile, StorletParams } from "skybutler";
 *
 * export class HalfStorlet implements Storlet {
 *   constructor(private readonly logger: StorletLogger) {}
 *   async invoke([input]: StorletInputFile[], [output]: StorletOutputFile[], params: StorletParams): Promise<void> {
 *     output.setMetadata(input.getMetadata());          // once, before any byte
 *     let at = 0;
 *     for await (const chunk of input) {                 // the bytes of even offsets
 *       const half = chunk.filter((_, i) => (at + i) % 2 === 0);
 *       at += chunk.length;
 *       await output.write(half);
 *     }
 *     await output.close();
 *   }
 * }
 * ```
 *
 * The module imports nothing of skybutler at run time (types only): it runs in a sandbox that sees
 * its own directory and Node. Everything here is a type.
 *
 * @packageDocumentation
 */

/** Upstream's StorletLogger: one `<module.Class> <LEVEL>: <message>` line each, to the storlet's log. */
export interface StorletLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  warning(message: string): void;
  error(message: string): void;
}

/** The user metadata of an object (`X-Object-Meta-*` without the prefix), keys Title-Cased. */
export type StorletMetadata = Record<string, string>;

/** The parameters of an invocation (query string and `X-Storlet-Parameter-N: key:value`), plus `storlet_execution_path`. */
export type StorletParams = Readonly<Record<string, string>>;

/** An input: the object's bytes and user metadata. Async-iterable over its chunks. */
export interface StorletInputFile extends AsyncIterable<Uint8Array> {
  /** Size in bytes when known (not for a request body sent chunked). */
  readonly size: number | undefined;
  /** Offset of the next byte {@link StorletInputFile.read} returns. */
  readonly position: number;
  /** Whether {@link StorletInputFile.close} was called. */
  readonly closed: boolean;
  /** A copy of the object's user metadata. */
  getMetadata(): StorletMetadata;
  /**
   * The next bytes: up to `n` (fewer only at the end), or without `n` the next chunk as it
   * arrived; an empty array at the end.
   */
  read(n?: number): Promise<Uint8Array>;
  /**
   * Moves to `offset` from the start of the input. On an object the bytes are then read from there
   * (a ranged read: what is skipped is never transferred); a request body can only skip forwards.
   */
  seek(offset: number): Promise<void>;
  /** Stops reading: nothing more of this input is fetched. */
  close(): Promise<void>;
}

/** The output: metadata once and before any byte, then the bytes. */
export interface StorletOutputFile {
  /** Whether {@link StorletOutputFile.close} was called. */
  readonly closed: boolean;
  /**
   * Sets the output's metadata, merged into the object's (`Content-Type` sets the Content-Type).
   * At most 4096 bytes of JSON.
   * @throws Error "Sending metadata twice is not allowed"; an Error when it is too large
   */
  setMetadata(metadata: StorletMetadata): void;
  /** The metadata set. @throws Error "Metadata is not set yet" */
  getMetadata(): StorletMetadata;
  /** Writes bytes (waits while the reader is slower). @throws Error "Body should be sent after metadata is sent" */
  write(bytes: Uint8Array | string): Promise<void>;
  /** Ends the output (done for the storlet if it returns without closing). */
  close(): Promise<void>;
}

/** A storlet instance: built once per invocation. */
export interface Storlet {
  /** Transforms `inFiles` (the object, then any extra resources) into `outFiles[0]`. */
  invoke(inFiles: StorletInputFile[], outFiles: StorletOutputFile[], params: StorletParams): Promise<void>;
}

/** A storlet class: what the module exports under the name after the dot of Main. */
export type StorletClass = new (logger: StorletLogger) => Storlet;
