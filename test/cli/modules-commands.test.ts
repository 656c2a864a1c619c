/**
 * `skybutler modules ls|add|rm|stats`, `skybutler gc` and `skybutler mirror repair` (the built
 * binary) on a storage-modules.yaml in a sandbox: what they print as text and with --json, what they
 * write, that no secret of the args is ever printed, and their errors.
 */
import { expect } from "chai";
import { randomBytes } from "node:crypto";
import { readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { parse } from "yaml";
import { storageFromUri } from "../../src/storage/schemes.js";
import { runCli } from "../support/cli.js";
import { modulesSandbox, VENDOR_MODULE, type ModulesSandbox } from "../support/module-stacks.js";

const SECRET = "hunter2-very-secret-value";

describe("skybutler modules, gc, mirror repair", function () {
  this.timeout(60_000);
  let box: ModulesSandbox;
  beforeEach(async () => {
    box = await modulesSandbox(() => ({}));
  });
  afterEach(() => box.cleanup());

  it("add, ls, rm edit the YAML file; ls and add never print a secret, --json included", async () => {
    const over = pathToFileURL(join(box.sandbox, "base")).href;
    const added = await runCli(["modules", "add", "checked", "--module", "skybutler:checksum", "--description", "checked copies", "--arg", `over=${over}`, "--arg", "chunkSize=65536"]);
    expect([added.code, added.stderr]).to.deep.equal([0, ""]);
    expect(added.stdout).to.equal(`added storage module "checked" (skybutler:checksum) in ${box.file}; open it as checked://ROOT\n`);
    const argsFile = join(box.sandbox, "args.json");
    const keyFile = join(box.sandbox, "key.hex");
    await writeFile(keyFile, randomBytes(32).toString("hex"), { mode: 0o600 });
    await writeFile(argsFile, JSON.stringify({ over: "checked://", keyFile, secretAccessKey: SECRET }), { mode: 0o600 });
    const secure = await runCli(["--json", "modules", "add", "secure", "-m", "skybutler:encrypt", "--args-json", `@${argsFile}`, "--arg", `password=${SECRET}`]);
    expect(secure.code).to.equal(0);
    expect(secure.stdout).to.not.include(SECRET);
    expect(JSON.parse(secure.stdout)).to.deep.equal({
      name: "secure",
      replaced: false,
      file: box.file,
      entry: { module: "skybutler:encrypt", args: { over: "checked://", keyFile, secretAccessKey: "***", password: "***" } },
    });
    // the file has the real values, mode 0600
    expect(parse(await readFile(box.file, "utf8")).secure.args).to.deep.equal({ over: "checked://", keyFile, secretAccessKey: SECRET, password: SECRET });
    expect((await stat(box.file)).mode & 0o777).to.equal(0o600);

    const ls = await runCli(["modules", "ls"]);
    expect(ls.code).to.equal(0);
    expect(ls.stdout).to.not.include(SECRET);
    expect(ls.stdout.split("\n")).to.deep.equal([
      `# ${box.file}`,
      "checked  skybutler:checksum  checked copies",
      `         args {"over":"${over}","chunkSize":"65536"}`,
      "secure   skybutler:encrypt",
      `         args {"over":"checked://","keyFile":"${keyFile}","secretAccessKey":"***","password":"***"}`,
      "",
    ]);
    const json = await runCli(["modules", "ls", "--json"]);
    expect(json.stdout).to.not.include(SECRET);
    expect(Object.keys((JSON.parse(json.stdout) as { modules: object }).modules)).to.deep.equal(["checked", "secure"]);

    // the stack works: secure://r is encrypted over checksummed over the base directory
    const s = await storageFromUri("secure://r", { create: true });
    await s.write("a.txt", "plain");
    await s.close();
    expect((await readFile(join(box.sandbox, "base", "r", "a.txt"))).includes(Buffer.from("plain"))).to.equal(false);

    // a module others wrap stays unless --force; a missing one is E_NOT_FOUND
    const refused = await runCli(["modules", "rm", "checked"]);
    expect([refused.code, refused.stderr]).to.deep.equal([1, 'E_CONFIG: storage module "checked" is wrapped by "secure"; remove those first, or pass --force\n']);
    expect((await runCli(["-q", "modules", "rm", "secure"])).stdout).to.equal("");
    expect((await runCli(["modules", "rm", "checked"])).code).to.equal(0);
    const missing = await runCli(["modules", "rm", "checked"]);
    expect([missing.code, missing.stderr]).to.deep.equal([1, `E_NOT_FOUND: no storage module "checked" in ${box.file}; see skybutler modules ls\n`]);
    expect(parse(await readFile(box.file, "utf8"))).to.deep.equal({});
    expect((await runCli(["modules", "ls"])).stdout).to.match(/^no storage modules in /);
  });

  it("refuses bad names, bad args and reserved schemes without echoing the values", async () => {
    const noEq = await runCli(["modules", "add", "xx", "-m", "skybutler:checksum", "--arg", SECRET]);
    expect([noEq.code, noEq.stderr]).to.deep.equal([2, 'E_USAGE: --arg expects key=value; got an argument without "="\n']);
    const badJson = await runCli(["modules", "add", "xx", "-m", "skybutler:checksum", "--args-json", `{"password": "${SECRET}"`]);
    expect([badJson.code, badJson.stderr]).to.deep.equal([2, 'E_USAGE: --args-json is not valid JSON; give an object such as {"over": "swift://"}\n']);
    const badName = await runCli(["modules", "add", "Bad_Name", "-m", "skybutler:checksum", "--arg", `password=${SECRET}`]);
    expect(badName.code).to.equal(1);
    expect(badName.stderr).to.match(/^E_CONFIG: storage module name "Bad_Name" .* is not usable as a URI scheme/);
    const reserved = await runCli(["modules", "add", "swift", "-m", "skybutler:checksum"]);
    expect([reserved.code, reserved.stderr]).to.deep.equal([1, 'E_CONFIG: "swift" is a built-in URI scheme; choose another storage module name\n']);
    const noModule = await runCli(["modules", "add", "xx"]);
    expect(noModule.code).to.equal(2);
    expect(noModule.stderr).to.match(/^E_USAGE: required option '-m, --module <module>' not specified/);
    for (const r of [noEq, badJson, badName, reserved]) expect(r.stderr + r.stdout).to.not.include(SECRET);
    // nothing was written
    expect(await readdir(box.sandbox)).to.not.include("storage-modules.yaml.lock");
    expect(parse(await readFile(box.file, "utf8"))).to.deep.equal({});
  });

  it("stats: a vendor module's own statistics, a wrapper's storage counted below a root", async () => {
    await box.write({
      vendor: { module: VENDOR_MODULE + "#DirectoryModule", args: { dir: join(box.sandbox, "vendor") } },
      checked: { module: "skybutler:checksum", args: { over: pathToFileURL(join(box.sandbox, "base")).href } },
    });
    const s = await storageFromUri("checked://r", { create: true });
    await s.write("a", "1234");
    await s.write("b/c", "5678");
    await s.close();
    // the vendor module is TypeScript: the binary loads it through tsx, as a TypeScript shop would run it
    const vendor = await runCli(["--json", "modules", "stats", "vendor"], { env: { NODE_OPTIONS: "--import tsx" } });
    expect(vendor.code, vendor.stderr).to.equal(0);
    expect((JSON.parse(vendor.stdout) as { capacity: object }).capacity).to.have.keys("total", "used", "free");
    const counted = await runCli(["modules", "stats", "checked", "--root", "r", "--count"]);
    expect(counted.code, counted.stderr).to.equal(0);
    expect(counted.stdout).to.match(/^capacity: [\d.]+ [KMGT]?i?B total, [\d.]+ [KMGT]?i?B used, [\d.]+ [KMGT]?i?B free\nobjects: 2, 8 B\n/);
    const unknown = await runCli(["modules", "stats", "nosuch"]);
    expect(unknown.code).to.equal(1);
    expect(unknown.stderr).to.match(/^E_CONFIG: no storage module "nosuch" in /);
  });

  it("gc removes the unreferenced blobs of a dedup storage; mirror repair completes a mirror", async () => {
    const a = join(box.sandbox, "a");
    const b = join(box.sandbox, "b");
    await box.write({
      dd: { module: "skybutler:dedup", args: { over: pathToFileURL(join(box.sandbox, "below")).href } },
      mirrored: { module: "skybutler:mirror", args: { over: [pathToFileURL(a).href, pathToFileURL(b).href] } },
    });
    const dd = await storageFromUri("dd://r", { create: true });
    await dd.write("one", "same bytes");
    await dd.write("two", "same bytes");
    await dd.write("three", "other bytes");
    await dd.delete("three");
    await dd.close();
    const gc = await runCli(["gc", "dd://r"]);
    expect([gc.code, gc.stdout]).to.deep.equal([0, "removed 1 unreferenced blob (11 B); kept 1\n"]);
    const again = await runCli(["gc", "dd://r", "--json"]);
    expect(JSON.parse(again.stdout)).to.deep.equal({ removed: 0, freedBytes: 0, kept: 1 });

    const m = await storageFromUri("mirrored://r", { create: true });
    await m.write("x/1", "one");
    await m.write("x/2", "two");
    await m.close();
    await rm(join(b, "r", "x", "1"));
    const notDedup = await runCli(["gc", "mirrored://r"]);
    expect([notDedup.code, notDedup.stderr]).to.deep.equal([1, "E_CONFIG: mirrored://r is not a skybutler:dedup storage; gc applies to dedup modules only\n"]);
    const repair = await runCli(["mirror", "repair", "mirrored://r"]);
    expect([repair.code, repair.stdout]).to.deep.equal([0, `2 keys; copied 0 to ${pathToFileURL(a).href}/r, 1 to ${pathToFileURL(b).href}/r; 1 already there\n`]);
    expect(await readFile(join(b, "r", "x", "1"), "utf8")).to.equal("one");
    const json = await runCli(["--json", "mirror", "repair", "mirrored://r"]);
    expect((JSON.parse(json.stdout) as { skipped: number }).skipped).to.equal(2);
  });
});
