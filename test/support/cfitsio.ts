/**
 * CFITSIO as an independent implementation for the FITS tests: compiles the small C programs in
 * `test/support/cfitsio/` (against Debian's libcfitsio-dev) once, into a cache directory keyed by
 * their source, outside the repository and outside $SKYBUTLER_TMPDIR (whose leftovers fail the
 * run), and runs them and the command-line tools (fpack, funpack, fitsverify).
 */
import { execFile, execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const SOURCES = join(dirname(fileURLToPath(import.meta.url)), "cfitsio");

let built: Map<string, string> | undefined;

/**
 * Path of the compiled program `name` (from `cfitsio/<name>.c`), compiling every program the first
 * time it is asked for in this process (and only when its source changed since the last run).
 * @throws Error with gcc's output when compilation fails
 */
export function cfitsioProgram(name: string): string {
  built ??= compileAll();
  const path = built.get(name);
  if (!path) throw new Error(`no C program ${name}.c in ${SOURCES}`);
  return path;
}

function compileAll(): Map<string, string> {
  const out = new Map<string, string>();
  const cache = join(tmpdir(), "skybutler-cfitsio-cache");
  mkdirSync(cache, { recursive: true });
  for (const file of readdirSync(SOURCES).filter((f) => f.endsWith(".c"))) {
    const name = file.slice(0, -2);
    const source = join(SOURCES, file);
    const digest = createHash("sha256").update(readFileSync(source)).digest("hex").slice(0, 16);
    const binary = join(cache, `${name}-${digest}`);
    if (!existsSync(binary)) {
      // Compile beside the target and rename: concurrent runs never see a half-written binary.
      const partial = `${binary}.${process.pid}.tmp`;
      execFileSync("gcc", ["-O2", "-Wall", "-o", partial, source, "-lcfitsio", "-lm"], { stdio: ["ignore", "pipe", "pipe"] });
      renameSync(partial, binary);
    }
    out.set(name, binary);
  }
  return out;
}

/** Output of a finished command. */
export interface RunResult {
  stdout: Buffer;
  stderr: string;
  code: number;
}

/** Runs a command, resolving with its (binary) stdout whatever its exit code. */
export function runTool(command: string, args: string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { encoding: "buffer", maxBuffer: 512 << 20 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== "number") reject(error);
      else resolve({ stdout, stderr: stderr.toString(), code: error ? Number(error.code) : 0 });
    });
  });
}

/**
 * Runs a compiled C program and returns its stdout.
 * @throws Error with its stderr when it exits non-zero
 */
export async function runCfitsio(name: string, args: string[]): Promise<Buffer> {
  const result = await runTool(cfitsioProgram(name), args);
  if (result.code !== 0) throw new Error(`${name} ${args.join(" ")} failed (${result.code}):\n${result.stderr}`);
  return result.stdout;
}

/**
 * Pixel values as CFITSIO reads them (`fits_read_img` / `fits_read_subset`), as little-endian bytes
 * of `type` (u8 i8 i16 u16 i32 u32 i64 u64 f32 f64); float reads turn undefined pixels into NaN.
 * `hdu` is 0-based like ours. `first`/`last` are 1-based inclusive FITS pixel corners.
 */
export function cfitsioImage(path: string, hdu: number, type: string, first?: number[], last?: number[]): Promise<Buffer> {
  const args = ["image", path, String(hdu + 1), type];
  if (first && last) args.push(first.join(","), last.join(","));
  return runCfitsio("cfdump", args);
}

/**
 * One table column as CFITSIO reads it (`fits_read_col`), as little-endian bytes of `type` (the
 * image types plus c64/c128 complex pairs, bit (one byte per bit), log (0/1 bytes), str (NUL-ended
 * strings)); a variable-length column gives, per row, its int64 length then its values. Float
 * reads check for undefined values, which in CFITSIO turns ±Inf into NaN as well; `f32!`/`f64!`
 * read raw.
 */
export function cfitsioColumn(path: string, hdu: number, column: string, type: string): Promise<Buffer> {
  return runCfitsio("cfdump", ["column", path, String(hdu + 1), column, type]);
}

/** CFITSIO's checksum verdict per HDU: 1 correct, 0 absent, -1 wrong (`fits_verify_chksum`). */
export async function cfitsioChecksums(path: string): Promise<Array<{ data: number; hdu: number }>> {
  const text = (await runCfitsio("cfdump", ["checksum", path])).toString();
  return text.trim().split("\n").map((line) => {
    const [data, hdu] = line.split(" ").map(Number);
    return { data: data!, hdu: hdu! };
  });
}

/** fitsverify's verdict: the error and warning counts it reports, and its full text. */
export async function fitsverify(path: string): Promise<{ errors: number; warnings: number; text: string }> {
  const result = await runTool("fitsverify", [path]);
  const text = result.stdout.toString() + result.stderr;
  const m = /\*\*\*\* Verification found (\d+) warning\(s\) and (\d+) error\(s\)/.exec(text);
  if (!m) throw new Error(`unexpected fitsverify output:\n${text}`);
  return { warnings: Number(m[1]), errors: Number(m[2]), text };
}
