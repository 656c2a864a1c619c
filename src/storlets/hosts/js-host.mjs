// The JavaScript side of a storlet invocation: loads the storlet's ES module, builds its class with
// a logger and calls `invoke(inFiles, outFiles, params)`. Started once per invocation, inside the
// sandbox, by skybutler's storlet-process.ts; plain JavaScript with no import but Node's own, so
// that it runs in a sandbox that sees nothing of skybutler but this file.
//
// File descriptors (set up by the parent):
//   3  control: one JSON object (file, main, dir, params, inputs' metadata and sizes), then EOF
//   4  events: JSON lines to the parent (metadata, seeks, closed inputs)
//   5  the output's bytes
//   6… one per input, in frames: D<u32 length><bytes>, E (end), S<u32 seek number>, X<u32 length><message>
//   1, 2  the log (console.log goes there: it never reaches the output)
import { readFileSync, writeSync } from "node:fs";
import { Socket } from "node:net";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const MAX_METADATA_BYTES = 4096;
const spec = JSON.parse(readFileSync(3, "utf8"));

function event(message) {
  const line = Buffer.from(`${JSON.stringify(message)}\n`, "utf8");
  for (let done = 0; done < line.length; ) done += writeSync(4, line, done);
}

if (spec.restrict) {
  // without a network namespace: Node's permission model guards files and processes, and no
  // socket may connect (the permission model of this Node version does not cover the network)
  const net = await import("node:net");
  const dgram = await import("node:dgram");
  const refuse = () => {
    throw Object.assign(new Error("storlet sandbox: network access is not allowed"), { code: "ERR_ACCESS_DENIED" });
  };
  for (const [proto, name] of [[net.Socket.prototype, "connect"], [dgram.Socket.prototype, "bind"], [dgram.Socket.prototype, "send"]]) {
    Object.defineProperty(proto, name, { value: refuse, writable: false, configurable: false });
  }
  Object.defineProperty(globalThis, "fetch", { value: refuse, writable: false, configurable: false });
}

/** Frames of one input pipe, parsed as they arrive. */
class FrameReader {
  #chunks;
  #buffer = Buffer.alloc(0);
  #socket;

  constructor(fd) {
    this.#socket = new Socket({ fd, readable: true, writable: false });
    this.#chunks = this.#socket[Symbol.asyncIterator]();
  }

  async #need(n) {
    while (this.#buffer.length < n) {
      const { value, done } = await this.#chunks.next();
      if (done) throw new Error("the input pipe closed in the middle of the stream");
      this.#buffer = this.#buffer.length === 0 ? value : Buffer.concat([this.#buffer, value]);
    }
  }

  #take(n) {
    const out = this.#buffer.subarray(0, n);
    this.#buffer = this.#buffer.subarray(n);
    return out;
  }

  /** The next frame: { type, value } (D: bytes, S: seek number, X: message, E). */
  async next() {
    await this.#need(1);
    const type = String.fromCharCode(this.#take(1)[0]);
    if (type === "E") return { type };
    await this.#need(4);
    const n = this.#take(4).readUInt32BE(0);
    if (type === "S") return { type, value: n };
    await this.#need(n);
    const bytes = Buffer.from(this.#take(n));
    return { type, value: type === "X" ? bytes.toString("utf8") : bytes };
  }

  close() {
    this.#socket.destroy();
  }
}

/** An input of the storlet: its bytes (seekable when the source allows it) and its metadata. */
class StorletInputFile {
  #index;
  #metadata;
  #frames;
  #pending = Buffer.alloc(0);
  #position = 0;
  #eof = false;
  #closed = false;
  #seeks = 0;
  #awaiting = 0;

  #seekable;

  constructor(index, fd, metadata, size, seekable) {
    this.#index = index;
    this.#seekable = seekable;
    this.#frames = new FrameReader(fd);
    this.#metadata = metadata;
    /** Size of the input in bytes, when known (not for a request body sent chunked). */
    this.size = size ?? undefined;
  }

  /** A copy of the object's user metadata. */
  getMetadata() {
    return structuredClone(this.#metadata);
  }

  /** Offset of the next byte read. */
  get position() {
    return this.#position;
  }

  async #nextData() {
    for (;;) {
      const frame = await this.#frames.next();
      if (this.#awaiting !== 0) {
        if (frame.type === "S" && frame.value === this.#awaiting) this.#awaiting = 0;
        continue;
      }
      if (frame.type === "D") return frame.value;
      if (frame.type === "E") return undefined;
      if (frame.type === "X") throw new Error(frame.value);
    }
  }

  /**
   * The next bytes: up to `n` (fewer only at the end), or without `n` the next chunk as it
   * arrived; an empty array at the end.
   */
  async read(n) {
    if (this.#closed) throw new Error("read on a closed input file");
    if (n !== undefined && (!Number.isInteger(n) || n < 0)) throw new RangeError(`read(n): n must be a whole number, got ${n}`);
    const parts = [];
    let have = 0;
    if (this.#pending.length > 0) {
      const take = n === undefined ? this.#pending.length : Math.min(n, this.#pending.length);
      parts.push(this.#pending.subarray(0, take));
      this.#pending = this.#pending.subarray(take);
      have = take;
    }
    while (!this.#eof && (n === undefined ? have === 0 : have < n)) {
      const data = await this.#nextData();
      if (data === undefined) {
        this.#eof = true;
        break;
      }
      const take = n === undefined ? data.length : Math.min(n - have, data.length);
      parts.push(data.subarray(0, take));
      this.#pending = data.subarray(take);
      have += take;
    }
    this.#position += have;
    const out = parts.length === 1 ? parts[0] : Buffer.concat(parts, have);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }

  /**
   * Moves to `offset` (bytes from the start of the input). Backwards, or far forwards, the parent
   * reopens its source there (a ranged read); an input that cannot (a request body) skips
   * forwards only, and a backward seek fails on the next read.
   */
  async seek(offset) {
    if (this.#closed) throw new Error("seek on a closed input file");
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`seek(offset): offset must be a whole number, got ${offset}`);
    const ahead = offset - this.#position;
    if (ahead === 0) return;
    if (ahead > 0 && ahead <= this.#pending.length) {
      this.#pending = this.#pending.subarray(ahead);
      this.#position = offset;
      return;
    }
    if (!this.#seekable) {
      // a request body: skip forwards by reading, never backwards
      if (ahead < 0) throw new Error(`this input cannot seek backwards (to ${offset}, at ${this.#position}): it is a request body`);
      for (let left = ahead; left > 0; ) {
        const skipped = await this.read(Math.min(left, 1 << 20));
        if (skipped.length === 0) break;
        left -= skipped.length;
      }
      return;
    }
    this.#seeks += 1;
    this.#awaiting = this.#seeks;
    this.#pending = Buffer.alloc(0);
    this.#eof = false;
    this.#position = offset;
    event({ t: "seek", i: this.#index, g: this.#seeks, offset });
  }

  async *[Symbol.asyncIterator]() {
    for (;;) {
      const chunk = await this.read();
      if (chunk.length === 0) return;
      yield chunk;
    }
  }

  /** Stops reading: the parent stops fetching this input. */
  async close() {
    if (this.#closed) return;
    this.#closed = true;
    event({ t: "close", i: this.#index });
    this.#frames.close();
  }

  get closed() {
    return this.#closed;
  }
}

/** The output: metadata once and before any byte, then the bytes. */
class StorletOutputFile {
  #socket = new Socket({ fd: 5, readable: false, writable: true });
  #metadata;
  #closed = false;

  setMetadata(metadata) {
    if (this.#metadata !== undefined) throw new Error("Sending metadata twice is not allowed");
    if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
      throw new TypeError("setMetadata(metadata): metadata must be an object of strings");
    }
    const encoded = JSON.stringify(metadata);
    const bytes = Buffer.byteLength(encoded, "utf8");
    if (bytes > MAX_METADATA_BYTES) {
      throw new Error(`Metadata is too large: ${bytes} bytes of JSON, at most ${MAX_METADATA_BYTES} are allowed`);
    }
    this.#metadata = JSON.parse(encoded);
    event({ t: "metadata", md: this.#metadata });
  }

  getMetadata() {
    if (this.#metadata === undefined) throw new Error("Metadata is not set yet");
    return structuredClone(this.#metadata);
  }

  async write(bytes) {
    if (this.#metadata === undefined) throw new Error("Body should be sent after metadata is sent");
    if (this.#closed) throw new Error("write on a closed output file");
    const chunk = typeof bytes === "string" ? Buffer.from(bytes, "utf8") : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (chunk.length === 0) return;
    if (!this.#socket.write(chunk)) {
      await new Promise((resolve, reject) => {
        const done = (err) => {
          this.#socket.off("drain", done);
          this.#socket.off("error", done);
          if (err) reject(err);
          else resolve();
        };
        this.#socket.once("drain", done);
        this.#socket.once("error", done);
      });
    }
  }

  async close() {
    if (this.#closed) return;
    this.#closed = true;
    await new Promise((resolve) => this.#socket.end(resolve));
  }

  get closed() {
    return this.#closed;
  }
}

/** `<module.Class> <LEVEL>: <message>` lines on the log, as upstream's StorletLogger. */
class StorletLogger {
  #name;
  constructor(name) {
    this.#name = name;
  }
  #emit(level, message) {
    process.stderr.write(`${this.#name} ${level}: ${message}\n`);
  }
  debug(message) {
    this.#emit("DEBUG", message);
  }
  info(message) {
    this.#emit("INFO", message);
  }
  warn(message) {
    this.#emit("WARN", message);
  }
  warning(message) {
    this.#emit("WARNING", message);
  }
  error(message) {
    this.#emit("ERROR", message);
  }
}

function fail(err) {
  process.stderr.write(`${spec.main} raised: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`, () => process.exit(1));
}
process.on("uncaughtException", fail);
process.on("unhandledRejection", fail);

const [, className] = spec.main.split(".");
const module = await import(pathToFileURL(join(spec.dir, spec.file)).href);
const StorletClass = module[className];
if (typeof StorletClass !== "function") throw new Error(`${spec.file} exports no class ${className}`);
const inFiles = spec.inputs.map((md, i) => new StorletInputFile(i, spec.inputFds[i], md, spec.sizes[i], spec.seekable[i]));
const out = new StorletOutputFile();
const storlet = new StorletClass(new StorletLogger(spec.main));
if (typeof storlet.invoke !== "function") throw new Error(`${spec.main} has no invoke(inFiles, outFiles, params) method`);
await storlet.invoke(inFiles, [out], { ...spec.params, storlet_execution_path: spec.dir });
for (const f of inFiles) await f.close();
await out.close();
process.exit(0);
