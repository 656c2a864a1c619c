/**
 * The repository browser in a real browser: Debian's Chromium driven by playwright-core, against
 * real `skybutler serve` processes (the built binary) over an output repository of calexps and a
 * catalog written in `before`. One browser for the file, a fresh context (profile, sessionStorage)
 * per test. It clicks from the index to a calexp and checks that the preview is the PNG
 * `skybutler show` writes (both decoded with pngjs, and again as the page drew it); searches the
 * header; shows HTML in header values and catalog cells as text, with no script run; pages a
 * catalog; zooms into tiles drawn with the overview's limits; and asks once for a token on a
 * protected server, never putting it in a URL. A screenshot of each page goes to
 * test-artifacts/browser/ (gitignored). No console error (a CSP violation would be one) is allowed.
 */
import { expect } from "chai";
import { mkdirSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import pngjs from "pngjs";
import { runCli, startServe, stopAllServers, tokenFile, TOKENS, type ServeProcess } from "../support/cli.js";
import { HOSTILE, makeBrowseRepo, SRC_ROWS } from "./browse-fixtures.js";

const ARTIFACTS = fileURLToPath(new URL("../../test-artifacts/browser/", import.meta.url));
/**
 * As /work's machines need them: no GPU, no QUIC, no first-run, sync or update traffic (the network
 * is closed). playwright-core adds --headless and --no-sandbox (`chromiumSandbox: false`), and
 * starts every launch with a new, empty --user-data-dir of its own, removed on close.
 */
const CHROMIUM_ARGS = ["--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

/** A page and what it reported: console errors and uncaught exceptions. */
interface Tab {
  page: Page;
  problems: string[];
  urls: string[];
}

describe("the repository browser in Chromium", function () {
  this.timeout(120_000);
  let work: string;
  let root: string;
  let open: ServeProcess;
  let locked: ServeProcess;
  let tokens: ReturnType<typeof tokenFile>;
  let browser: Browser;
  const contexts: BrowserContext[] = [];

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    work = await mkdtemp(join(tmpdir(), "skybutler-browser-"));
    root = join(work, "rerun");
    await makeBrowseRepo(root);
    tokens = tokenFile([[TOKENS.read, "read"]]);
    [open, locked, browser] = await Promise.all([
      startServe(["--port", "0", "--quiet", "--repo", `rerun=${root}`, "--public-read", "--read-only"]),
      startServe(["--port", "0", "--quiet", "--repo", `rerun=${root}`, "--token-file", tokens.path, "--read-only"]),
      chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, chromiumSandbox: false, args: CHROMIUM_ARGS }),
    ]);
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });
  after(async () => {
    await browser?.close();
    await stopAllServers();
    tokens?.remove();
    await rm(work, { recursive: true, force: true });
  });

  async function tab(): Promise<Tab> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    const problems: string[] = [];
    const urls: string[] = [];
    page.on("console", (m) => {
      // a 401 the page asked for (before the token) is Chromium's "Failed to load resource" line, not a fault
      if (m.type() === "error" && !/status of 401/.test(m.text())) problems.push(m.text());
    });
    page.on("pageerror", (e) => problems.push(e.message));
    page.on("request", (r) => urls.push(r.url()));
    return { page, problems, urls };
  }

  const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  const datasetUrl = (server: ServeProcess, type: string) => `${server.url}/#/repo/rerun/type/${type}/dataset?id.visit=1&id.ccd=0`;
  const decode = (bytes: Buffer) => pngjs.PNG.sync.read(bytes);
  // page-side code is given as text: the project's TypeScript has no DOM types
  const pwned = (page: Page) => page.evaluate("window.__pwned");
  // (waitForFunction takes functions: the page's CSP forbids evaluating strings in it)
  const rangeIs = (page: Page, text: string) => page.waitForFunction((t) => (globalThis as any).document.getElementById("rows-range")?.textContent === t, text);

  it("clicks from the index to a calexp, whose preview is the PNG `skybutler show` writes", async () => {
    const { page, problems } = await tab();
    await page.goto(`${open.url}/`);
    await page.locator("#repos a.repo", { hasText: "rerun" }).waitFor();
    await shot(page, "1-repositories");
    await page.click("#repos a.repo:text-is('rerun')");
    await page.locator("#types").waitFor();
    await shot(page, "2-dataset-types");
    await page.click("#types a.type:text-is('calexp')");
    await page.locator("#ids").waitFor();
    expect(await page.locator("#ids tbody tr").count()).to.equal(12);
    await page.fill("input[data-key=visit]", "1");
    await page.fill("input[data-key=ccd]", "0");
    await page.click("#filter button[type=submit]");
    await page.waitForFunction(() => (globalThis as any).document.querySelectorAll("#ids tbody tr").length === 1);
    await shot(page, "3-data-ids");

    // the overview's bytes as the browser received them
    const overviews: Array<{ url: URL; body: Buffer }> = [];
    await page.route(/\/browse\/preview\/calexp\?/, async (route) => {
      const response = await route.fetch();
      const url = new URL(route.request().url());
      if (!url.searchParams.has("x0")) overviews.push({ url, body: await response.body() });
      await route.fulfill({ response });
    });
    await page.click("#ids a.open");
    await page.locator("#viewport[data-ready]").waitFor();
    await page.locator("#header tbody tr").first().waitFor();
    await shot(page, "4-dataset");
    expect(overviews).to.have.length(1);
    const width = Number(overviews[0]!.url.searchParams.get("width"));
    const served = decode(overviews[0]!.body);

    const png = join(work, "show.png");
    const run = await runCli(["show", root, "calexp", "visit=1", "ccd=0", "--png", png, "--width", String(width)]);
    expect(run.code, run.stderr).to.equal(0);
    const written = decode(await readFile(png));
    expect([served.width, served.height]).to.deep.equal([written.width, written.height]);
    expect(Buffer.compare(served.data, written.data), "the preview's pixels are the CLI's").to.equal(0);

    // and as the page drew it: the <img> copied to a canvas (opaque pixels; NaN ones are transparent)
    const dataUrl = await page.evaluate<string>(`(() => {
      const img = document.getElementById("preview-image");
      const canvas = document.createElement("canvas");
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      canvas.getContext("2d").drawImage(img, 0, 0);
      return canvas.toDataURL("image/png");
    })()`);
    const drawn = decode(Buffer.from(dataUrl.split(",")[1]!, "base64"));
    expect([drawn.width, drawn.height]).to.deep.equal([written.width, written.height]);
    let opaque = 0;
    let differ = 0;
    for (let i = 0; i < written.data.length; i += 4) {
      if (written.data[i + 3] !== 255) continue;
      opaque++;
      for (let c = 0; c < 4; c++) if (drawn.data[i + c] !== written.data[i + c]) differ++;
    }
    expect(opaque).to.be.above(written.width * written.height * 0.99);
    expect(differ, "pixels drawn differently").to.equal(0);
    expect(await page.locator("#limits").textContent()).to.match(/^zscale limits /);
    // the download is the dataset API's, for the data id the list gave
    const download = new URL((await page.getAttribute("#download", "href"))!, open.url);
    expect(download.pathname).to.equal("/api/v1/repos/rerun/datasets/calexp");
    expect(Object.fromEntries(download.searchParams)).to.include({ visit: "1", ccd: "0", filter: "g" });
    expect(problems).to.deep.equal([]);
  });

  it("searches the header, and shows HTML in header values as text without running it", async () => {
    const { page, problems } = await tab();
    await page.goto(datasetUrl(open, "calexp"));
    await page.locator("#header tbody tr").first().waitFor();
    const total = await page.locator("#header tbody tr").count();
    const visible = () => page.locator("#header tbody tr:not([hidden])");

    await page.fill("#header-search", "exptime");
    expect(await visible().count()).to.equal(1);
    expect(await visible().locator("td.kw").textContent()).to.equal("EXPTIME");
    expect(await page.locator("#header-count").textContent()).to.equal(`1 of ${total} cards`);
    await shot(page, "5-header-search");

    await page.fill("#header-search", "script");
    expect(await visible().locator("td.kw").allTextContents()).to.deep.equal(["OBJECT"]);
    expect(await visible().locator("td.value").textContent()).to.equal(HOSTILE.object);
    await page.fill("#header-search", "onerror");
    expect(await visible().locator("td.value").textContent()).to.equal(HOSTILE.note);
    await page.fill("#header-search", "");
    expect(await visible().count()).to.equal(total);

    expect(await page.locator("#header script, #header img, #header b").count(), "no element made from a value").to.equal(0);
    expect(await page.locator("img[src='x']").count()).to.equal(0);
    expect(await pwned(page)).to.equal(undefined);
    expect(problems).to.deep.equal([]);
  });

  it("pages a catalog, its cells shown as text", async () => {
    const { page, problems } = await tab();
    await page.goto(datasetUrl(open, "src"));
    await page.locator("#catalog tbody tr").first().waitFor();
    const range = page.locator("#rows-range");
    expect(await range.textContent()).to.equal(`rows 1–100 of ${SRC_ROWS}`);
    expect(await page.locator("#catalog thead th").allTextContents()).to.deep.equal(["#", "id", "x [pixel]", "flux", "saturated", "label"]);
    const firstRow = page.locator("#catalog tbody tr").first().locator("td");
    expect(await firstRow.allTextContents()).to.deep.equal(["1", "1", "0", "1000", "true", HOSTILE.cell]);
    expect(await page.locator("#catalog b, #catalog script").count()).to.equal(0);
    expect(await page.locator("#rows-prev").isDisabled()).to.equal(true);

    await page.click("#rows-next");
    await rangeIs(page, "rows 101–200 of 250");
    expect(await firstRow.allTextContents()).to.deep.equal(["101", "101", "250", "1100", "false", "s101"]);
    await page.click("#rows-next");
    await rangeIs(page, "rows 201–250 of 250");
    expect(await page.locator("#catalog tbody tr").count()).to.equal(50);
    expect(await page.locator("#rows-next").isDisabled()).to.equal(true);
    await page.click("#rows-prev");
    await rangeIs(page, "rows 101–200 of 250");
    await shot(page, "6-catalog");
    expect(await pwned(page)).to.equal(undefined);
    expect(problems).to.deep.equal([]);
  });

  it("zooms in with PNG tiles drawn with the overview's limits", async () => {
    const { page, problems } = await tab();
    const overview = page.waitForResponse((r) => r.url().includes("/browse/preview/calexp?") && !new URL(r.url()).searchParams.has("x0"));
    await page.goto(datasetUrl(open, "calexp"));
    const limits = (await (await overview).headerValue("x-skybutler-limits"))!.split(" ").map(Number);
    await page.locator("#viewport[data-ready]").waitFor();
    const tileUrls: URL[] = [];
    page.on("request", (r) => {
      const url = new URL(r.url());
      if (url.searchParams.has("x0")) tileUrls.push(url);
    });
    await page.click("#zoom-in");
    await page.click("#zoom-in");
    expect(await page.locator("#zoom-label").textContent()).to.equal("400%");
    // every tile in view arrives and is drawn
    await page.waitForFunction(() => {
      const tiles: Array<{ complete: boolean; naturalWidth: number }> = [...(globalThis as any).document.querySelectorAll("img.tile")];
      return tiles.length > 0 && tiles.every((t) => t.complete && t.naturalWidth > 0);
    });
    const tiles = await page.locator("img.tile").count();
    expect(tileUrls.length).to.be.at.least(tiles);
    // (tiles at 200% were asked for before the second click)
    const scales = tileUrls.map((url) => Number(url.searchParams.get("width")) / Number(url.searchParams.get("w")));
    expect(scales.filter((s) => s === 4).length).to.be.at.least(tiles);
    expect(scales.every((s) => s === 2 || s === 4)).to.equal(true);
    for (const url of tileUrls) expect([Number(url.searchParams.get("min")), Number(url.searchParams.get("max"))]).to.deep.equal(limits);
    await shot(page, "7-zoomed");
    await page.click("#zoom-fit");
    expect(await page.locator("img.tile").count()).to.equal(0);
    expect(problems).to.deep.equal([]);
  });

  it("asks once for a token on a protected server, keeps it for the tab, and never puts it in a URL", async () => {
    const { page, problems, urls } = await tab();
    await page.goto(`${locked.url}/`);
    await page.locator("#token").waitFor({ state: "visible" });
    expect(await page.locator("#repos").count()).to.equal(0);
    await shot(page, "8-token");

    await page.fill("#token-input", "not-the-token-0123456789");
    await page.click("#token-form button[type=submit]");
    await page.waitForFunction(() => /refused the token/.test((globalThis as any).document.getElementById("token-message").textContent));

    await page.fill("#token-input", TOKENS.read);
    await page.click("#token-form button[type=submit]");
    await page.locator("#repos a.repo", { hasText: "rerun" }).waitFor();
    expect(await page.locator("#token").isHidden()).to.equal(true);

    // the preview's and the header's requests carry it too (fetch with the header, not <img src>)
    await page.goto(datasetUrl(locked, "calexp"));
    await page.locator("#viewport[data-ready]").waitFor();
    await page.locator("#header tbody tr").first().waitFor();
    await page.reload();
    await page.locator("#viewport[data-ready]").waitFor();
    expect(await page.locator("#token").isHidden(), "the tab kept the token").to.equal(true);
    await page.click("#forget-token");
    await page.locator("#token").waitFor({ state: "visible" });
    expect(urls.filter((u) => u.includes(TOKENS.read) || u.includes("not-the-token"))).to.deep.equal([]);
    expect(problems).to.deep.equal([]);

    // another tab's session starts without it
    const other = await tab();
    await other.page.goto(`${locked.url}/`);
    await other.page.locator("#token").waitFor({ state: "visible" });
  });
});
