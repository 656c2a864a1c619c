/**
 * `skybutler storlet run|deploy`: try a storlet locally — on a file, an object of any storage or a
 * dataset — in the same sandbox and with the same rules as the server, then deploy it as upstream
 * OpenStack Storlets expects (containers `storlet` and `dependency`).
 *
 * ```sh
 * skybutler storlet run half.js --main half.HalfStorlet --input ./source.txt --metadata
 * skybutler storlet run fitscutout --input repo:calexp:visit=1,ccd=0 --repo data/testcam-repo \
 *   -p x0=10 -p y0=10 -p width=32 -p height=32 -o cut.fits
 * skybutler storlet deploy half.js --main half.HalfStorlet --to swift://storlet
 * ```
 *
 * @packageDocumentation
 */
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import type { Command } from "commander";
import { StorletError, UsageError } from "../../errors.js";
import { BUILTIN_STORLETS } from "../../storlets/builtin-storlets.js";
import { deployStorlet } from "../../storlets/deploy-client.js";
import { localStorletCode } from "../../storlets/local-code.js";
import { openObjectInput, type OpenedInput } from "../../storlets/object-input.js";
import { parseStorletRange } from "../../storlets/storlet-range.js";
import { StorletRunner } from "../../storlets/storlet-runner.js";
import { parseDataId } from "../data-id-args.js";
import { outputOf } from "../global-options.js";
import { withButler } from "../with-butler.js";

const collect = (value: string, previous: string[]): string[] => [...previous, value];

interface RunFlags {
  main?: string;
  input: string;
  extra: string[];
  param: string[];
  range?: string;
  output: string;
  metadata?: boolean;
  dependency: string[];
  repo?: string;
  timeout?: string;
  memory?: string;
  log?: boolean;
}

/** `key=value` parameters. @throws UsageError for a word without `=` */
export function parseParams(words: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const word of words) {
    const eq = word.indexOf("=");
    if (eq <= 0) throw new UsageError(`a parameter is key=value, got "${word}"`);
    out[word.slice(0, eq)] = word.slice(eq + 1);
  }
  return out;
}

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${name} must be a positive number, got "${text}"`);
  return n;
}

/** An input given on the command line: a path, an object URI, or `repo:TYPE:k=v,…` with `--repo`. */
async function openInput(spec: string, repo: string | undefined, range?: string): Promise<OpenedInput> {
  const parsedRange = range === undefined ? undefined : parseStorletRange(range);
  if (!spec.startsWith("repo:")) return openObjectInput(spec, parsedRange);
  const [, type, ids = ""] = /^repo:([^:]+):?(.*)$/.exec(spec) ?? [];
  if (type === undefined) throw new UsageError(`a dataset input is repo:TYPE:key=value,…, got "${spec}"`);
  if (repo === undefined) throw new UsageError(`${spec} needs --repo URI: the repository the dataset is in`);
  const uri = await withButler(repo, (b) => b.getUri(type, parseDataId(ids.split(",").filter((w) => w !== ""))));
  return openObjectInput(uri, parsedRange);
}

/** Writes a stream to a file atomically: a temp file beside it, renamed when complete. */
async function writeAtomically(path: string, body: NodeJS.ReadableStream): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    await pipeline(body, createWriteStream(temp, { mode: 0o644 }));
    await rename(temp, path);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
}

/** Registers `storlet run` and `storlet deploy`. */
export function registerStorlet(program: Command): void {
  const storlet = program.command("storlet").description(`run storlets locally and deploy them (shipped: ${Object.keys(BUILTIN_STORLETS).join(", ")})`);

  storlet
    .command("run")
    .description("run a storlet on a local file, an object or a dataset, in the server's sandbox")
    .argument("<storlet>", "a storlet file (.py, .js) or a shipped storlet's name")
    .option("--main <module.Class>", "the storlet's class (not for shipped storlets)")
    .requiredOption("--input <path|uri|repo:TYPE:k=v,…>", "the object the storlet reads")
    .option("--extra <path|uri>", "another input, after the first (repeatable)", collect, [])
    .option("-p, --param <key=value>", "a parameter (repeatable)", collect, [])
    .option("--range <bytes=A-B>", "read only this range of the input (also bytes=A- and bytes=-N)")
    .option("-o, --output <file|->", "where the output goes (- is stdout)", "-")
    .option("--metadata", "print the output's metadata (JSON; on stderr when the output goes to stdout)")
    .option("--dependency <file>", "a file the storlet uses, in its directory (repeatable)", collect, [])
    .option("--repo <uri>", "the repository of a repo:TYPE:… input")
    .option("--timeout <seconds>", "longest silence before the storlet is stopped (default 40)")
    .option("--memory <MiB>", "memory limit (default 512)")
    .option("--log", "print the storlet's log on stderr")
    .action(async (file: string, opts: RunFlags, command: Command) => {
      const out = outputOf(command);
      const code = await localStorletCode(file, { ...(opts.main === undefined ? {} : { main: opts.main }), dependencies: opts.dependency });
      const params = parseParams(opts.param);
      const runner = new StorletRunner({ limits: { timeoutMs: positive("--timeout", opts.timeout, 40) * 1000, memoryMiB: positive("--memory", opts.memory, 512) } });
      const opened: OpenedInput[] = [];
      try {
        opened.push(await openInput(opts.input, opts.repo, opts.range));
        for (const extra of opts.extra) opened.push(await openInput(extra, opts.repo));
        const result = await runner.run({ code, inputs: opened.map((o) => o.input), params });
        const toStdout = opts.output === "-";
        if (opts.metadata) {
          const text = `${JSON.stringify(result.metadata, null, 2)}\n`;
          if (toStdout) process.stderr.write(text);
          else out.line(text.trimEnd());
        }
        let bytes = 0;
        result.body.on("data", (chunk: Buffer) => (bytes += chunk.length));
        if (toStdout) await pipeline(result.body, process.stdout, { end: false });
        else await writeAtomically(opts.output, result.body);
        if (opts.log) process.stderr.write(result.log());
        out.data({ metadata: result.metadata, bytes, ...(toStdout ? {} : { output: opts.output }) });
      } catch (err) {
        if (err instanceof StorletError && err.log !== "") process.stderr.write(`--- log of ${code.main} ---\n${err.log.trimEnd()}\n---\n`);
        throw err;
      } finally {
        await Promise.all(opened.map((o) => o.close()));
      }
    });

  storlet
    .command("deploy")
    .description("deploy a storlet (and its dependencies) to a Swift account or a skybutler server")
    .argument("<storlet>", "a storlet file (.py, .js) or a shipped storlet's name")
    .option("--main <module.Class>", "the storlet's class (not for shipped storlets)")
    .option("--dependency <file>", "a file the storlet uses (repeatable)", collect, [])
    .requiredOption("--to <uri>", "swift://… (the account of ST_AUTH/OS_AUTH_URL credentials) or skybutler+http://HOST:PORT/REPO (SKYBUTLER_TOKEN, admin)")
    .action(async (file: string, opts: { main?: string; dependency: string[]; to: string }, command: Command) => {
      const out = outputOf(command);
      const code = await localStorletCode(file, { ...(opts.main === undefined ? {} : { main: opts.main }), dependencies: opts.dependency });
      const report = await deployStorlet(code, opts.to);
      out.note(`deployed ${code.storlet.name} (Main ${code.main})${code.dependencies.length > 0 ? ` with ${code.dependencies.map((d) => d.name).join(", ")}` : ""}`);
      out.note(`invoke it with the header X-Run-Storlet: ${code.storlet.name}`);
      out.data({ storlet: code.storlet.name, main: code.main, objects: report.objects });
    });
}
