/**
 * The storlet contract in both languages, with storlets written as upstream's samples are
 * (test/fixtures/storlets: a class built with a logger and called with in_files, out_files,
 * params; nothing of skybutler imported), run in the real sandbox.
 */
import { expect } from "chai";
import { StorletError } from "../../src/errors.js";
import { bytesInput, streamInput } from "../../src/storlets/storlet-input.js";
import { Readable } from "node:stream";
import { failure, fixture, runToEnd } from "./storlet-fixtures.js";

const SOURCE = Buffer.from("abcdefghijklmonp");

describe("storlet contract: Python, upstream's interface 1.0", function () {
  this.timeout(30_000);

  it("identity: the bytes unchanged, the input's metadata plus the storlet's, its log lines", async () => {
    const ran = await runToEnd(await fixture("identity.py", "IdentityStorlet"), [bytesInput(SOURCE, { Testkey: "tester" })]);
    expect(ran.body.toString()).to.equal("abcdefghijklmonp");
    expect(ran.metadata).to.deep.equal({ Testkey: "tester", test: "simple" });
    expect(ran.log).to.equal("identity.IdentityStorlet DEBUG: Returning metadata\n");
  });

  it("half: the bytes at even offsets, across chunk boundaries", async () => {
    const big = Buffer.alloc(300_001, 0).map((_, i) => i % 251);
    const ran = await runToEnd(await fixture("half.py", "HalfStorlet"), [bytesInput(big)]);
    expect(ran.body.equals(Buffer.from(big.filter((_, i) => i % 2 === 0)))).to.equal(true);
    const small = await runToEnd(await fixture("half.py", "HalfStorlet"), [bytesInput(SOURCE, { Testkey: "tester" })]);
    expect(small.body.toString()).to.equal("acegikmn");
    expect(small.metadata).to.deep.equal({ Testkey: "tester" });
  });

  it("parameters reach the storlet as strings, with storlet_execution_path", async () => {
    const ran = await runToEnd(await fixture("params.py", "ParamsStorlet"), [bytesInput(Buffer.from("some content"))], { op: "print", param2: "val2" });
    const text = ran.body.toString();
    expect(text).to.contain("op     print\n").and.contain("param2     val2\n");
    expect(text).to.match(/storlet_execution_path {5}\/\S+/);
    expect(ran.metadata).to.include({ op: "print", param2: "val2" });
  });

  it("a partial read ends well, and the metadata keeps the input's keys with one added", async () => {
    const md = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`Key${i + 1}`, String(i + 1)]));
    const ran = await runToEnd(await fixture("partial.py", "PartialStorlet"), [bytesInput(Buffer.alloc(1 << 20, 7), md)]);
    expect(ran.body.toString()).to.equal("1234567890");
    expect(ran.metadata).to.deep.equal({ ...md, override_key: "new_value" });
  });

  it("several inputs: their bytes in order, their metadata merged", async () => {
    const ran = await runToEnd(await fixture("multi.py", "MultiStorlet"), [
      bytesInput(Buffer.from("0123456789abcd"), { Key1: "value1" }),
      bytesInput(Buffer.from("efghijklmnopqr"), { Key2: "value2" }),
    ]);
    expect(ran.body.toString()).to.equal("0123456789abcdefghijklmnopqr");
    expect(ran.metadata).to.deep.equal({ Key1: "value1", Key2: "value2" });
  });

  it("a dependency runs from the storlet's directory with its permissions", async () => {
    const ran = await runToEnd(await fixture("execdep.py", "ExecDepStorlet", ["get42.sh"]), [bytesInput(SOURCE)]);
    expect(ran.metadata["depend-ret-code"]).to.equal("42");
    expect(ran.body.toString()).to.equal("abcdefghijklmonp");
  });

  it("a one-shot input (a request body) streams through", async () => {
    const ran = await runToEnd(await fixture("identity.py", "IdentityStorlet"), [streamInput(Readable.from([Buffer.from("abc"), Buffer.from("def")]), { Client: "c" })]);
    expect(ran.body.toString()).to.equal("abcdef");
    expect(ran.metadata).to.deep.equal({ Client: "c", test: "simple" });
  });

  it("the file API: readline, readlines with a hint, read(n), iteration, metadata copies, upstream's errors", async () => {
    const ran = await runToEnd(await fixture("fileapi.py", "FileApiStorlet"), [bytesInput(Buffer.from("first line\nabcdef\ng\nh\ni\nrest of it"), { Testkey: "t" })]);
    const seen = JSON.parse(ran.body.toString());
    expect(seen.metadata_after_change).to.deep.equal({ Testkey: "t" });
    expect(seen.line1).to.equal("first line\n");
    expect(seen.short).to.equal("abc");
    expect(seen.lines).to.deep.equal(["def\n", "g\n"]);
    expect(seen.four).to.equal("h\ni\n");
    expect(seen.rest).to.equal("rest of it");
    expect(seen.eof).to.equal("");
    expect(seen.errors).to.deep.equal({
      get_metadata: "OSError: Metadata is not set yet",
      write: "OSError: Body should be sent after metadata is sent",
      input_write: "NotImplementedError: write is not supported on an input file",
      output_read: "NotImplementedError: read is not supported on an output file",
      twice: "OSError: Sending metadata twice is not allowed",
    });
    expect(ran.log).to.equal("fileapi.FileApiStorlet INFO: one\nfileapi.FileApiStorlet WARNING: two\n");
  });

  it("a storlet that raises before its metadata fails at start, with its traceback in the log", async () => {
    const err = await failure(runToEnd(await fixture("broken.py", "BrokenStorlet"), [bytesInput(SOURCE)]), StorletError);
    expect(err.phase).to.equal("start");
    expect(err.message).to.match(/storlet broken\.BrokenStorlet failed \(exit status 1\)/);
    expect(err.log).to.contain("NameError: name 'xrange' is not defined");
  });

  it("metadata over 4096 bytes, or none at all, fails the run", async () => {
    const big = await failure(runToEnd(await fixture("bigmeta.py", "BigMetaStorlet"), [bytesInput(SOURCE)]), StorletError);
    expect(big.log).to.contain("Metadata is too large");
    const none = await failure(runToEnd(await fixture("nometa.py", "NoMetaStorlet"), [bytesInput(SOURCE)]), StorletError);
    expect(none.message).to.contain("ended without setting its metadata");
  });
});

describe("storlet contract: JavaScript", function () {
  this.timeout(30_000);

  it("half: async iteration, the input's metadata", async () => {
    const ran = await runToEnd(await fixture("half.js", "HalfStorlet"), [bytesInput(SOURCE, { Testkey: "tester" })]);
    expect(ran.body.toString()).to.equal("acegikmn");
    expect(ran.metadata).to.deep.equal({ Testkey: "tester" });
  });

  it("seek: backwards and forwards on an object (each reopens the source at the offset)", async () => {
    const data = Buffer.from(Array.from({ length: 2_000_000 }, (_, i) => 48 + (i % 10)));
    let opens = 0;
    const input = bytesInput(data);
    const counted = { ...input, open: (offset: number) => ((opens += 1), input.open(offset)) };
    const ran = await runToEnd(await fixture("seek.js", "SeekStorlet"), [counted], { n: "4", at: "1500003" });
    expect(JSON.parse(ran.body.toString())).to.deep.equal({ tail: "6789", head: "0123", middle: "3456", end: "more" });
    expect(ran.metadata).to.deep.equal({ size: "2000000" });
    expect(opens).to.equal(4);
  });

  it("seek on a request body: forwards is a skip, backwards is an error", async () => {
    // the storlet skips to the last 2 bytes (allowed), then seeks back to 0 (refused)
    const err = await failure(runToEnd(await fixture("seek.js", "SeekStorlet"), [streamInput(Readable.from([Buffer.from("0123456789")]), {}, 10)], { n: "2" }), StorletError);
    expect(err.log).to.contain("this input cannot seek backwards (to 0, at 10)");
  });

  it("setMetadata once, before any write, at most 4096 bytes; extra inputs; params", async () => {
    const ran = await runToEnd(await fixture("contract.js", "ContractStorlet"), [bytesInput(SOURCE, { Testkey: "tester" }), bytesInput(Buffer.from("x"), { Other: "o" })], { a: "1" });
    const seen = JSON.parse(ran.body.toString());
    expect(seen.errors.getMetadata).to.equal("Metadata is not set yet");
    expect(seen.errors.write).to.equal("Body should be sent after metadata is sent");
    expect(seen.errors.big).to.match(/^Metadata is too large: \d+ bytes of JSON, at most 4096 are allowed$/);
    expect(seen.errors.twice).to.equal("Sending metadata twice is not allowed");
    expect(seen.params).to.include({ a: "1" }).and.have.property("storlet_execution_path");
    expect(ran.metadata).to.deep.equal({ Testkey: "tester", extra0: '{"Other":"o"}' });
    expect(ran.log).to.equal("contract.ContractStorlet INFO: metadata set\n");
  });

  it("a throw before the metadata fails at start; after the first byte it cuts the output with an error", async () => {
    const code = await fixture("contract.js", "ContractStorlet");
    const early = await failure(runToEnd(code, [bytesInput(SOURCE)], { op: "crash" }), StorletError);
    expect(early.phase).to.equal("start");
    expect(early.log).to.contain("crash requested");
    const late = await failure(runToEnd(code, [bytesInput(SOURCE)], { op: "late-crash" }), StorletError);
    expect(late.phase).to.equal("stream");
    const none = await failure(runToEnd(code, [bytesInput(SOURCE)], { op: "nometa" }), StorletError);
    expect(none.message).to.contain("ended without setting its metadata");
  });
});
