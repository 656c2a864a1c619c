// The zoomable preview. At "fit" it shows one PNG of the whole image, as `skybutler show` writes it
// for the same options; zoomed in (powers of two), PNG tiles of 256 screen pixels, each a region
// rendered by the server with the overview's limits, so that every tile has the same stretch.
// Only the tiles in view are fetched, four at a time; the overview, scaled, fills in meanwhile.
import { ApiError, browsePath, getBlob } from "./api.js";
import { h, notice } from "./dom.js";

const TILE = 256;
const MAX_FIT = 8;
const MAX_ZOOM = 32;
const PARALLEL = 4;
const HEX = /^#[0-9a-f]{6}$/i;

/**
 * The preview panel of an image `width` × `height` pixels.
 * @param {{repo: string, type: string, dataId: object, width: number, height: number, signal: AbortSignal}} options
 */
export function previewPanel({ repo, type, dataId, width: W, height: H, signal }) {
  const options = { stretch: "zscale", mapping: "linear", mask: false };
  let limits = null;
  let fit = null; // {scale, width, height}: the overview's size
  let zoom = "fit";
  let generation = 0;
  const tiles = new Map();
  const queue = [];
  let active = 0;

  const overview = h("img", { class: "overview", id: "preview-image", alt: `preview of ${type}`, draggable: "false" });
  const tileLayer = h("div", { class: "tiles" });
  const plane = h("div", { class: "plane" }, overview, tileLayer);
  const viewport = h("div", { class: "viewport", id: "viewport" }, plane);
  const coords = h("span", { class: "coords", id: "coords" }, " ");
  const limitsText = h("span", { class: "muted", id: "limits" });
  const zoomText = h("span", { class: "zoom-label", id: "zoom-label" });
  const legend = h("ul", { class: "legend", id: "legend" });
  const message = h("div", {});

  const select = (name, choices) => h("select", { "aria-label": name, id: `preview-${name}`, onchange: (e) => {
    options[name] = e.target.value;
    void loadOverview();
  } }, choices.map((c) => h("option", { value: c, selected: c === options[name] }, c)));
  const maskBox = h("input", { type: "checkbox", id: "preview-mask", onchange: () => {
    options.mask = maskBox.checked;
    void loadOverview();
  } });
  const zoomOut = h("button", { type: "button", id: "zoom-out", title: "zoom out", onclick: () => step(-1) }, "−");
  const zoomIn = h("button", { type: "button", id: "zoom-in", title: "zoom in", onclick: () => step(1) }, "+");
  const zoomFit = h("button", { type: "button", id: "zoom-fit", onclick: () => setZoom("fit") }, "fit");

  const controls = h("div", { class: "controls" },
    h("label", {}, "interval ", select("stretch", ["zscale", "minmax", "percentile"])),
    h("label", {}, "stretch ", select("mapping", ["linear", "asinh", "log", "sqrt"])),
    h("label", {}, maskBox, " mask planes"),
    h("span", { class: "zoom" }, zoomOut, zoomText, zoomIn, zoomFit));

  const scale = () => (zoom === "fit" ? fit.scale : zoom);
  const levels = () => {
    const out = ["fit"];
    for (let z = 1 / 64; z <= MAX_ZOOM; z *= 2) if (z > fit.scale * 1.001) out.push(z);
    return out;
  };

  function step(direction) {
    if (fit === null) return;
    const all = levels();
    const here = all.indexOf(zoom);
    setZoom(all[Math.min(all.length - 1, Math.max(0, here + direction))]);
  }

  function clearTiles() {
    for (const img of tiles.values()) if (img.src.startsWith("blob:")) URL.revokeObjectURL(img.src);
    tiles.clear();
    queue.length = 0;
    tileLayer.replaceChildren();
  }

  /** Sets the zoom, keeping the image point under `anchor` (viewport pixels; default its centre) in place. */
  function setZoom(level, anchor) {
    if (fit === null) return;
    const old = scale();
    const ax = anchor?.x ?? viewport.clientWidth / 2;
    const ay = anchor?.y ?? viewport.clientHeight / 2;
    const sx = (viewport.scrollLeft + ax) / old;
    const sy = (viewport.scrollTop + ay) / old;
    zoom = level;
    clearTiles();
    const s = scale();
    plane.style.width = `${zoom === "fit" ? fit.width : W * s}px`;
    plane.style.height = `${zoom === "fit" ? fit.height : H * s}px`;
    plane.classList.toggle("zoomed", zoom !== "fit");
    viewport.scrollLeft = sx * s - ax;
    viewport.scrollTop = sy * s - ay;
    zoomText.textContent = zoom === "fit" ? `fit (${Math.round(fit.scale * 100)}%)` : `${Math.round(s * 100)}%`;
    const all = levels();
    zoomOut.disabled = zoom === "fit";
    zoomIn.disabled = all.indexOf(zoom) === all.length - 1;
    showTiles();
  }

  function showTiles() {
    if (zoom === "fit" || fit === null) return;
    const z = zoom;
    const side = Math.max(1, Math.round(TILE / z)); // image pixels a tile covers
    const span = side * z;
    const i0 = Math.max(0, Math.floor(viewport.scrollLeft / span));
    const j0 = Math.max(0, Math.floor(viewport.scrollTop / span));
    const i1 = Math.min(Math.ceil(W / side) - 1, Math.floor((viewport.scrollLeft + viewport.clientWidth - 1) / span));
    const j1 = Math.min(Math.ceil(H / side) - 1, Math.floor((viewport.scrollTop + viewport.clientHeight - 1) / span));
    for (let j = j0; j <= j1; j++) {
      for (let i = i0; i <= i1; i++) {
        const key = `${i},${j}`;
        if (tiles.has(key)) continue;
        // tile row j counts from the top of the view; image row 0 is at the bottom
        const x0 = i * side;
        const w = Math.min(W, x0 + side) - x0;
        const top = j * side;
        const rows = Math.min(H, top + side) - top;
        const y0 = H - top - rows;
        const img = h("img", { class: "tile", alt: "", draggable: "false", "data-tile": key });
        img.style.left = `${x0 * z}px`;
        img.style.top = `${top * z}px`;
        img.style.width = `${w * z}px`;
        img.style.height = `${rows * z}px`;
        tiles.set(key, img);
        tileLayer.append(img);
        const extra = {
          x0, y0, w, h: rows,
          width: Math.max(1, Math.round(w * z)), height: Math.max(1, Math.round(rows * z)),
          mapping: options.mapping,
          mask: options.mask ? 1 : undefined,
        };
        if (limits !== null) Object.assign(extra, limits);
        else extra.stretch = options.stretch;
        enqueue(async () => {
          if (tiles.get(key) !== img) return; // zoomed or changed meanwhile
          const { blob } = await getBlob(browsePath(repo, "preview", type, dataId, extra), signal);
          if (tiles.get(key) !== img) return;
          img.src = URL.createObjectURL(blob);
        });
      }
    }
  }

  function enqueue(job) {
    queue.push(job);
    pump();
  }

  function pump() {
    while (active < PARALLEL && queue.length > 0) {
      const job = queue.shift();
      active++;
      job().catch((err) => {
        if (err?.name !== "AbortError") message.replaceChildren(failure(err));
      }).finally(() => {
        active--;
        pump();
      });
    }
  }

  async function loadOverview() {
    const mine = ++generation;
    if (fit === null) {
      const room = Math.max(64, viewport.clientWidth - 2);
      const tall = Math.max(240, Math.min(window.innerHeight * 0.7, 800));
      const s = Math.min(room / W, tall / H, MAX_FIT);
      const width = Math.max(1, Math.round(W * s));
      fit = { scale: width / W, width, height: Math.max(1, Math.round((width * H) / W)) };
    }
    message.replaceChildren();
    try {
      const { blob, headers } = await getBlob(browsePath(repo, "preview", type, dataId, {
        width: fit.width,
        stretch: options.stretch,
        mapping: options.mapping,
        mask: options.mask ? 1 : undefined,
      }), signal);
      if (mine !== generation) return;
      const [min, max] = (headers.get("x-skybutler-limits") ?? "").split(" ").map(Number);
      limits = Number.isFinite(min) && Number.isFinite(max) ? { min, max } : null;
      limitsText.textContent = limits === null ? "no finite pixel" : `${options.stretch} limits ${fmt(min)} … ${fmt(max)}`;
      showLegend(JSON.parse(decodeURIComponent(headers.get("x-skybutler-legend") ?? "%5B%5D")));
      if (overview.src.startsWith("blob:")) URL.revokeObjectURL(overview.src);
      overview.src = URL.createObjectURL(blob);
      await overview.decode().catch(() => undefined);
      if (mine !== generation) return;
      viewport.dataset.ready = String(mine);
      setZoom(zoom); // the same level, tiles again with the new limits
    } catch (err) {
      if (mine !== generation || err?.name === "AbortError") return;
      message.replaceChildren(failure(err));
    }
  }

  function showLegend(entries) {
    legend.replaceChildren(...entries.map((e) => {
      const swatch = h("span", { class: "swatch", "aria-hidden": "true" });
      if (HEX.test(e.hex)) swatch.style.backgroundColor = e.hex;
      return h("li", { class: e.present ? "" : "absent", title: e.present ? "shown in this preview" : "no pixel of this preview" },
        swatch, `${e.plane}`, h("span", { class: "muted" }, ` bit ${e.bit}`));
    }));
  }

  plane.addEventListener("mousemove", (event) => {
    if (fit === null) return;
    const box = plane.getBoundingClientRect();
    const sx = zoom === "fit" ? fit.width / W : zoom;
    const sy = zoom === "fit" ? fit.height / H : zoom;
    const x = Math.floor((event.clientX - box.left) / sx);
    const y = H - 1 - Math.floor((event.clientY - box.top) / sy);
    coords.textContent = x >= 0 && x < W && y >= 0 && y < H ? `x ${x}  y ${y}` : " ";
  });
  plane.addEventListener("mouseleave", () => (coords.textContent = " "));
  plane.addEventListener("dblclick", (event) => {
    const box = viewport.getBoundingClientRect();
    const all = levels();
    const next = all[Math.min(all.length - 1, all.indexOf(zoom) + 1)];
    setZoom(next, { x: event.clientX - box.left, y: event.clientY - box.top });
  });
  let pending = false;
  viewport.addEventListener("scroll", () => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      showTiles();
    });
  }, { passive: true });

  // the first load needs the viewport's width: wait until the panel is on the page
  const sizer = new ResizeObserver(() => {
    if (viewport.clientWidth === 0) return;
    sizer.disconnect();
    void loadOverview();
  });
  sizer.observe(viewport);
  signal.addEventListener("abort", () => {
    sizer.disconnect();
    clearTiles();
    if (overview.src.startsWith("blob:")) URL.revokeObjectURL(overview.src);
  });

  return h("section", { class: "panel preview" },
    h("div", { class: "panel-head" }, h("h2", { text: "Preview" }), controls),
    message,
    viewport,
    h("div", { class: "under" }, coords, limitsText, legend));
}

function fmt(value) {
  return Math.abs(value) >= 1e5 || (value !== 0 && Math.abs(value) < 1e-3) ? value.toExponential(3) : String(Number(value.toPrecision(6)));
}

function failure(err) {
  return notice(err instanceof ApiError ? `${err.code}: ${err.message}` : String(err?.message ?? err), "error");
}
