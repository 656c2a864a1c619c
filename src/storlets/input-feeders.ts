/**
 * Feeding an input to a storlet process: raw bytes for Python (upstream's interface has no seek),
 * frames for JavaScript, whose input files can seek — a seek reopens the source at the offset
 * (a ranged read), so a storlet that wants 64 rows of a 4096-row image reads 64 rows.
 *
 * Frames: `D` u32 length + bytes; `E` (the end); `S` u32 seek number (what follows answers that
 * seek; the host drops what came before it); `X` u32 length + message (the input failed there).
 *
 * @packageDocumentation
 */
import type { Readable, Writable } from "node:stream";
import type { StorletInput } from "./storlet-input.js";

/** Feeds one input pipe. */
export interface InputFeeder {
  /** Starts sending from offset 0. */
  start(): void;
  /** A seek of the host (frames only): abandon what is being sent and send from `offset`. */
  seek(generation: number, offset: number): void;
  /** Stops sending and closes the pipe (the storlet closed the input, or the run ended). */
  stop(): void;
}

/** A write that waits for the pipe to drain; false when the pipe is gone. */
async function writeTo(pipe: Writable, chunk: Uint8Array): Promise<boolean> {
  if (pipe.destroyed || pipe.writableEnded) return false;
  if (pipe.write(chunk)) return true;
  return new Promise((resolve) => {
    const done = (ok: boolean) => () => {
      pipe.off("drain", onDrain);
      pipe.off("close", onClose);
      resolve(ok);
    };
    const onDrain = done(true);
    const onClose = done(false);
    pipe.once("drain", onDrain);
    pipe.once("close", onClose);
  });
}

/** Is this the error of a pipe whose reader went away (the storlet closed its input)? */
function isClosedPipe(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === "EPIPE" || code === "ECONNRESET" || code === "ERR_STREAM_DESTROYED";
}

/**
 * The next chunk of a stream, or null at its end, without taking the stream over (a `for await`
 * that stops early destroys it; a request body must survive a seek forwards).
 */
function nextChunk(stream: Readable): Promise<Buffer | null> {
  const ready = stream.read() as Buffer | null;
  if (ready !== null) return Promise.resolve(ready);
  if (stream.readableEnded) return Promise.resolve(null);
  // destroyed already (a seek while a frame was being written): its "close" has been emitted or is
  // about to be, and a listener added after it would wait for ever
  if (stream.destroyed) return Promise.reject(new Error("the input's source was closed before its end"));
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      stream.off("readable", onReadable);
      stream.off("end", onEnd);
      stream.off("error", onError);
      stream.off("close", onClose);
    };
    const onReadable = (): void => {
      const chunk = stream.read() as Buffer | null;
      if (chunk !== null) {
        cleanup();
        resolve(chunk);
      }
    };
    const onEnd = (): void => {
      cleanup();
      resolve(null);
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const onClose = (): void => {
      cleanup();
      if (stream.readableEnded) resolve(null);
      else reject(new Error("the input's source was closed before its end"));
    };
    stream.on("readable", onReadable);
    stream.on("end", onEnd);
    stream.on("error", onError);
    stream.on("close", onClose);
  });
}

/** Raw bytes from offset 0 to the end, then EOF. */
export class RawFeeder implements InputFeeder {
  readonly #input: StorletInput;
  readonly #pipe: Writable;
  readonly #onError: (err: Error) => void;
  #source: Readable | undefined;
  #stopped = false;

  /**
   * @param input - the input
   * @param pipe - the process's end of the input's pipe
   * @param onError - called when the source fails (the run must fail: a cut input is not an input)
   */
  constructor(input: StorletInput, pipe: Writable, onError: (err: Error) => void) {
    this.#input = input;
    this.#pipe = pipe;
    this.#onError = onError;
    pipe.on("error", () => this.stop());
  }

  /** {@inheritDoc InputFeeder.start} */
  start(): void {
    void this.#run();
  }

  async #run(): Promise<void> {
    try {
      this.#source = await this.#input.open(0);
      this.#source.on("error", () => undefined);
      if (this.#stopped) {
        this.#source.destroy();
        return;
      }
      for await (const chunk of this.#source) {
        if (this.#stopped || !(await writeTo(this.#pipe, chunk as Buffer))) break;
      }
      this.#pipe.end();
    } catch (err) {
      if (!this.#stopped && !isClosedPipe(err)) this.#onError(err as Error);
    } finally {
      this.#source?.destroy();
    }
  }

  /** Raw inputs cannot seek. */
  seek(): void {}

  /** {@inheritDoc InputFeeder.stop} */
  stop(): void {
    this.#stopped = true;
    this.#source?.destroy();
    this.#pipe.destroy();
  }
}

const FRAME_BYTES = 256 * 1024;

/** Frames, with seeks. */
export class FramedFeeder implements InputFeeder {
  readonly #input: StorletInput;
  readonly #pipe: Writable;
  readonly #onError: (err: Error) => void;
  /** The current send; a seek starts another and this one stops at its next step. */
  #run = 0;
  #source: Readable | undefined;
  /** A one-shot source: the offset it has been read to. */
  #consumed = 0;
  #stopped = false;
  #queue: Promise<void> = Promise.resolve();

  /**
   * @param input - the input
   * @param pipe - the process's end of the input's pipe
   * @param onError - called when the source fails
   */
  constructor(input: StorletInput, pipe: Writable, onError: (err: Error) => void) {
    this.#input = input;
    this.#pipe = pipe;
    this.#onError = onError;
    pipe.on("error", () => this.stop());
  }

  /** {@inheritDoc InputFeeder.start} */
  start(): void {
    this.#schedule(0, 0);
  }

  /** {@inheritDoc InputFeeder.seek} */
  seek(generation: number, offset: number): void {
    if (this.#stopped) return;
    this.#schedule(generation, offset);
  }

  /** Sends run after run: a new run waits for the previous one to notice it was superseded. */
  #schedule(generation: number, offset: number): void {
    const run = ++this.#run;
    if (this.#input.seekable) this.#source?.destroy();
    this.#queue = this.#queue.then(() => this.#send(run, generation, offset));
  }

  async #send(run: number, generation: number, offset: number): Promise<void> {
    const current = (): boolean => run === this.#run && !this.#stopped;
    try {
      if (!current()) return;
      if (generation > 0 && !(await this.#frame("S", generation))) return;
      let source: Readable;
      let skip = 0;
      if (this.#input.seekable) {
        source = await this.#input.open(offset);
        // a seek destroys it: an HTTP body then errors (aborted), which is no failure of the run
        source.on("error", () => undefined);
        if (!current()) {
          // superseded while it opened: the next run will not know of it
          source.destroy();
          return;
        }
        this.#source = source;
      } else {
        if (offset < this.#consumed) {
          await this.#frame("X", Buffer.from(`this input cannot seek backwards (to ${offset}, after ${this.#consumed} bytes were read): it is a request body`));
          return;
        }
        if (this.#source === undefined) {
          this.#source = await this.#input.open(0);
          this.#source.on("error", () => undefined);
        }
        source = this.#source;
        skip = offset - this.#consumed;
      }
      if (!current()) return;
      for (let raw = await nextChunk(source); raw !== null; raw = await nextChunk(source)) {
        let chunk = raw;
        if (!this.#input.seekable) {
          this.#consumed += chunk.length;
          if (skip > 0) {
            const drop = Math.min(skip, chunk.length);
            skip -= drop;
            chunk = chunk.subarray(drop);
          }
        }
        for (let at = 0; at < chunk.length; at += FRAME_BYTES) {
          if (!current() || !(await this.#frame("D", chunk.subarray(at, at + FRAME_BYTES)))) return;
        }
      }
      if (current()) await this.#frame("E");
    } catch (err) {
      if (current() && !isClosedPipe(err)) this.#onError(err as Error);
    }
  }

  async #frame(type: "D" | "E" | "S" | "X", payload?: Uint8Array | number): Promise<boolean> {
    if (type === "E") return writeTo(this.#pipe, Buffer.from("E"));
    const head = Buffer.alloc(5);
    head.write(type, 0, "latin1");
    if (typeof payload === "number") {
      head.writeUInt32BE(payload, 1);
      return writeTo(this.#pipe, head);
    }
    head.writeUInt32BE(payload!.length, 1);
    return (await writeTo(this.#pipe, head)) && writeTo(this.#pipe, payload!);
  }

  /** {@inheritDoc InputFeeder.stop} */
  stop(): void {
    this.#stopped = true;
    this.#run++;
    this.#source?.destroy();
    this.#pipe.destroy();
  }
}
