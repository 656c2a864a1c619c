/**
 * Temp roots of processes killed without their exit cleanup are swept by the next process that
 * makes one: a real child process is SIGKILLed while it holds temp files, and its directory is
 * removed; the directories of live processes are left alone.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sweepOrphans } from "../../src/temp/index.js";

describe("temp roots of killed processes", () => {
  let base: string;
  before(async () => {
    base = await mkdtemp(join(tmpdir(), "skybutler-sweep-"));
  });
  after(() => rm(base, { recursive: true, force: true }));

  it("are removed; those of live processes stay", async () => {
    // a real process makes its temp root and a temp file, then dies by SIGKILL (no exit cleanup)
    const script = `
      import { TempScope } from "./src/temp/index.ts";
      const scope = new TempScope();
      await scope.createFile({ suffix: ".fits" });
      process.stdout.write("ready\\n");
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: process.cwd(),
      env: { ...process.env, SKYBUTLER_TMPDIR: base },
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout!.on("data", (d: Buffer) => d.toString().includes("ready") && resolve());
      child.on("exit", (code) => reject(new Error(`child exited early (${code})`)));
    });
    const dead = (await readdir(base)).find((n) => n.startsWith(`skybutler-${child.pid}-`));
    expect(dead, "the child's temp root").to.not.equal(undefined);
    // a live process's root (ours, and the parent's pid standing in for another live one)
    const { mkdirSync } = await import("node:fs");
    mkdirSync(join(base, `skybutler-${process.ppid}-abcdef`));
    child.kill("SIGKILL");
    await new Promise((resolve) => child.on("exit", resolve));
    expect(existsSync(join(base, dead!)), "SIGKILL leaves the root behind").to.equal(true);

    expect(sweepOrphans(base)).to.equal(1);
    expect(existsSync(join(base, dead!))).to.equal(false);
    expect(existsSync(join(base, `skybutler-${process.ppid}-abcdef`))).to.equal(true);
    expect(sweepOrphans(base)).to.equal(0);
  });
});
