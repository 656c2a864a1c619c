/**
 * The browser's read-only routes on a real `skybutler serve` (the built binary) with a token file:
 * the type and data id lists (variants hidden, paging, filters typed by the keys), a dataset's
 * description, header and catalog pages, and PNG previews — whole, and tiles read as `_sub`
 * regions — byte for byte what `renderPng` makes of the same calexp. Bad parameters get typed
 * `{code, message}` answers without a server path; every route needs the read scope; the page and
 * its files need none and carry a strict Content-Security-Policy.
 */
import { expect } from "chai";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Butler, MAX_SIDE, renderPng, type Exposure, type PixelArray } from "../../src/testing/index.js";
import { startServe, tokenFile, TOKENS, type ServeProcess } from "../support/cli.js";
import { BIG, HOSTILE, makeBrowseRepo, SAMPLE_REPO, SRC_ROWS } from "./browse-fixtures.js";

interface Answer {
  status: number;
  headers: Headers;
  json: any;
  bytes: Buffer;
}

describe("skybutler serve: the browser's routes", function () {
  this.timeout(60_000);
  let work: string;
  let root: string;
  let server: ServeProcess;
  let tokens: ReturnType<typeof tokenFile>;
  let calexp: Exposure<PixelArray>;

  const get = async (path: string, token: string | null = TOKENS.read): Promise<Answer> => {
    const res = await fetch(`${server.url}${path}`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
    const bytes = Buffer.from(await res.arrayBuffer());
    let json: any;
    try {
      json = JSON.parse(bytes.toString("utf8"));
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, json, bytes };
  };
  const browse = (what: string) => `/api/v1/repos/rerun/browse/${what}`;
  const v1c0 = "id.visit=1&id.ccd=0";
  /** A refusal: the status, the code, and no server path in the message. */
  const refused = (answer: Answer, status: number, code: string) => {
    expect(answer.status, JSON.stringify(answer.json)).to.equal(status);
    expect(answer.json.code).to.equal(code);
    expect(answer.json.message).to.be.a("string").and.not.include(work);
  };

  before(async () => {
    work = await mkdtemp(join(tmpdir(), "skybutler-browse-routes-"));
    root = join(work, "rerun");
    await makeBrowseRepo(root);
    tokens = tokenFile([[TOKENS.read, "read"]]);
    server = await startServe(["--port", "0", "--quiet", "--repo", `rerun=${root}`, "--token-file", tokens.path]);
    const butler = await Butler.create({ inputs: root });
    try {
      calexp = await butler.get<Exposure<PixelArray>>("calexp", { visit: 1, ccd: 0 });
    } finally {
      await butler.close();
    }
  });
  after(async () => {
    await server?.stop();
    tokens?.remove();
    await rm(work, { recursive: true, force: true });
  });

  it("lists the dataset types with their kinds and keys, without the views of them", async () => {
    const { status, json } = await get(browse("types"));
    expect(status).to.equal(200);
    const byName = new Map<string, { kind: string; keys: Record<string, string> }>(json.types.map((t: any) => [t.name, t]));
    expect(byName.get("calexp")?.kind).to.equal("image");
    expect(byName.get("raw")?.kind).to.equal("image");
    expect(byName.get("src")?.kind).to.equal("catalog");
    expect(byName.get("jsonThing")?.kind).to.equal("other");
    expect(byName.get("calexp")?.keys).to.include({ visit: "int", ccd: "int", filter: "str" });
    for (const view of ["calexp_md", "calexp_sub", "calexp_bbox", "src_len", "src_schema", "raw_filename"]) expect(byName.has(view), view).to.equal(false);
    // composites are assembled from other types: no file of their own to show
    expect(byName.has("calexpAndSrc")).to.equal(false);
    expect(byName.get("processCcd_config")?.keys).to.deep.equal({});
  });

  it("lists data ids a page at a time, filtered by typed keys, each with whether it is stored", async () => {
    const all = await get(`${browse("ids/calexp")}?limit=5`);
    expect(all.status).to.equal(200);
    expect(all.json.total).to.equal(12);
    expect(all.json.ids).to.have.length(5);
    const next = await get(`${browse("ids/calexp")}?limit=5&offset=10`);
    expect(next.json.ids.map((i: any) => [i.dataId.visit, i.dataId.ccd])).to.deep.equal([[4, 1], [4, 2]]);
    // every raw frame has a calexp in this output
    expect(all.json.ids.every((i: any) => i.exists === true)).to.equal(true);

    const visit1 = await get(`${browse("ids/src")}?id.visit=1`);
    expect(visit1.json.total).to.equal(3);
    expect(visit1.json.ids.map((i: any) => [i.dataId.ccd, i.exists])).to.deep.equal([[0, true], [1, false], [2, false]]);
    const gband = await get(`${browse("ids/calexp")}?id.filter=g&limit=200`);
    expect(gband.json.ids.every((i: any) => i.dataId.filter === "g")).to.equal(true);
    expect(gband.json.total).to.be.within(1, 11);

    refused(await get(`${browse("ids/calexp")}?id.visit=one`), 400, "E_DATA_ID");
    refused(await get(`${browse("ids/calexp")}?id.detector=1`), 400, "E_DATA_ID");
    refused(await get(`${browse("ids/calexp")}?limit=201`), 400, "E_USAGE");
    refused(await get(`${browse("ids/calexp")}?offset=-1`), 400, "E_USAGE");
    refused(await get(`${browse("ids/calexq")}`), 404, "E_UNKNOWN_DATASET_TYPE");
    refused(await get("/api/v1/repos/nope/browse/ids/calexp"), 404, "E_NOT_FOUND");
  });

  it("describes a dataset from its headers, and answers 404 for one not stored", async () => {
    const image = await get(`${browse("dataset/calexp")}?${v1c0}`);
    expect(image.json).to.deep.include({ kind: "image", image: { x0: 0, y0: 0, width: BIG.width, height: BIG.height } });
    const catalog = await get(`${browse("dataset/src")}?${v1c0}`);
    expect(catalog.json).to.deep.include({ kind: "catalog", rows: SRC_ROWS });
    const missing = await get(`${browse("dataset/src")}?id.visit=2&id.ccd=0`);
    refused(missing, 404, "E_DATASET_NOT_FOUND");
    // the roots searched are named, not shown: the output's and its parent's (the sample repository)
    expect(missing.json.message).to.include('in repo "rerun", a parent of repo "rerun"');
    expect(missing.json.message).not.to.include(SAMPLE_REPO);
  });

  it("sends the header as cards, HTML in values kept verbatim", async () => {
    const { status, json } = await get(`${browse("header/calexp")}?${v1c0}`);
    expect(status).to.equal(200);
    const cards = new Map<string, any>(json.cards.map((c: any) => [c.keyword, c]));
    expect(cards.get("OBJECT")).to.deep.equal({ keyword: "OBJECT", value: HOSTILE.object, comment: "a <b>hostile</b> comment" });
    expect(cards.get("NOTE")?.value).to.equal(HOSTILE.note);
    expect(cards.get("EXPTIME")?.value).to.equal(30);
    expect(json.total).to.equal(json.cards.length);
    // a catalog's header is its table's metadata, as `src_md` reads it
    const table = await get(`${browse("header/src")}?${v1c0}`);
    expect(table.status).to.equal(200);
    expect(table.json.total).to.equal(table.json.cards.length);
    refused(await get(`${browse("header/jsonThing")}?${v1c0}`), 400, "E_USAGE");
  });

  it("pages a catalog: columns with units, 64-bit ids as strings, NaN by name", async () => {
    const { json } = await get(`${browse("catalog/src")}?${v1c0}&offset=100&limit=100`);
    expect(json.total).to.equal(SRC_ROWS);
    expect(json.columns.map((c: any) => [c.name, c.type, c.unit])).to.deep.equal([
      ["id", "int64", ""], ["x", "float64", "pixel"], ["flux", "float64", ""], ["saturated", "boolean", ""], ["label", "string", ""],
    ]);
    expect(json.rows).to.have.length(100);
    expect(json.rows[0]).to.deep.equal(["101", 250, 1100, false, "s101"]);
    const first = await get(`${browse("catalog/src")}?${v1c0}&limit=10`);
    expect(first.json.rows[0][4]).to.equal(HOSTILE.cell);
    expect(first.json.rows[7][2]).to.equal("NaN");
    const last = await get(`${browse("catalog/src")}?${v1c0}&offset=240&limit=100`);
    expect(last.json.rows).to.have.length(10);
    refused(await get(`${browse("catalog/src")}?${v1c0}&limit=501`), 400, "E_USAGE");
    refused(await get(`${browse("catalog/calexp")}?${v1c0}`), 400, "E_USAGE");
  });

  it("previews the whole image as renderPng draws it, with its limits and mask legend", async () => {
    const answer = await get(`${browse("preview/calexp")}?${v1c0}&width=300&mapping=asinh&mask=1`);
    expect(answer.status).to.equal(200);
    expect(answer.headers.get("content-type")).to.equal("image/png");
    const expected = await renderPng(calexp, { width: 300, mapping: "asinh", mask: true });
    expect(answer.bytes.equals(Buffer.from(expected.png)), "the same PNG bytes").to.equal(true);
    const [min, max] = answer.headers.get("x-skybutler-limits")!.split(" ").map(Number);
    expect({ min, max }).to.deep.equal(expected.limits);
    const legend = JSON.parse(decodeURIComponent(answer.headers.get("x-skybutler-legend")!));
    expect(legend).to.deep.equal(expected.legend);
    expect(legend.find((e: any) => e.plane === "SAT")?.present).to.equal(true);
    expect(answer.headers.get("x-skybutler-image")).to.equal(`${BIG.width} ${BIG.height}`);
  });

  it("renders a tile from a region read alone, with the limits it is given", async () => {
    const limits = { min: 95.5, max: 180.25 };
    const answer = await get(`${browse("preview/calexp")}?${v1c0}&x0=128&y0=64&w=128&h=96&width=256&height=192&min=${limits.min}&max=${limits.max}&mask=SAT`);
    expect(answer.status).to.equal(200);
    const expected = await renderPng(calexp, { region: { cols: [128, 256], rows: [64, 160] }, width: 256, height: 192, limits, mask: ["SAT"] });
    expect(answer.bytes.equals(Buffer.from(expected.png)), "the tile's PNG bytes").to.equal(true);
    expect(answer.headers.get("x-skybutler-limits")).to.equal(`${limits.min} ${limits.max}`);
  });

  it("refuses bad preview parameters with typed errors", async () => {
    refused(await get(`${browse("preview/calexp")}?${v1c0}&width=${MAX_SIDE + 1}`), 400, "E_USAGE");
    refused(await get(`${browse("preview/calexp")}?${v1c0}&width=0`), 400, "E_USAGE");
    refused(await get(`${browse("preview/calexp")}?${v1c0}&width=12&width=13`), 400, "E_USAGE");
    refused(await get(`${browse("preview/calexp")}?${v1c0}&stretch=histeq`), 400, "E_USAGE");
    refused(await get(`${browse("preview/calexp")}?${v1c0}&min=1`), 400, "E_USAGE");
    refused(await get(`${browse("preview/calexp")}?${v1c0}&min=1&max=Infinity`), 400, "E_USAGE");
    refused(await get(`${browse("preview/calexp")}?${v1c0}&x0=0&y0=0&w=10`), 400, "E_USAGE");
    refused(await get(`${browse("preview/calexp")}?${v1c0}&x0=590&y0=0&w=20&h=10`), 400, "E_USAGE");
    refused(await get(`${browse("preview/calexp")}?${v1c0}&mask=NOPE`), 400, "E_USAGE");
    refused(await get(`${browse("preview/src")}?${v1c0}`), 400, "E_USAGE");
    refused(await get(`${browse("preview/postISRCCD")}?${v1c0}`), 404, "E_DATASET_NOT_FOUND");
    // the server is still up and answering
    expect((await get(`${browse("preview/calexp")}?${v1c0}&width=8`)).status).to.equal(200);
  });

  it("needs the read scope for every route; the page and its files need none and carry a strict CSP", async () => {
    for (const what of ["types", "ids/calexp", `dataset/calexp?${v1c0}`, `header/calexp?${v1c0}`, `catalog/src?${v1c0}`, `preview/calexp?${v1c0}&width=8`]) {
      refused(await get(browse(what), null), 401, "E_AUTH");
      refused(await get(browse(what), "not-a-token-0123456789"), 401, "E_AUTH");
    }
    const page = await get("/", null);
    expect(page.status).to.equal(200);
    expect(page.headers.get("content-type")).to.match(/^text\/html/);
    const csp = page.headers.get("content-security-policy")!;
    for (const rule of ["default-src 'none'", "script-src 'self'", "img-src 'self' blob:", "frame-ancestors 'none'", "require-trusted-types-for 'script'"]) expect(csp).to.include(rule);
    expect(csp).not.to.match(/unsafe-inline|unsafe-eval|https?:/);
    expect(page.headers.get("x-content-type-options")).to.equal("nosniff");
    // every script and style sheet the page names is served from here
    for (const [, path] of page.bytes.toString("utf8").matchAll(/(?:src|href)="([^"#]+)"/g)) {
      expect(path, "no outside address").to.match(/^\/browser\/[a-z-]+\.(js|css|svg)$/);
      expect((await get(path!, null)).status, path).to.equal(200);
    }
    const script = await get("/browser/app.js", null);
    expect(script.headers.get("content-type")).to.match(/^text\/javascript/);
    refused(await get("/browser/nope.js", null), 404, "E_NOT_FOUND");
    refused(await get("/browser/..%2Fbrowse-dataset.js", null), 404, "E_NOT_FOUND");
  });
});
