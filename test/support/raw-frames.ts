/**
 * Raw frames like the sample repository's, with a header the test chooses: to ingest files that
 * conflict with registered ones, lack a card, or differ only in their pixels.
 */
import { writeFits } from "../../src/fits/index.js";
import { Header } from "../../src/image/header.js";
import { makeRawPixels, SAMPLE_SIZE } from "../../scripts/sample-data.js";

/** The cards of a sample raw header (visit 1 is g, 3 and 4 are r). */
export function rawCards(visit: number, ccd: number, filter: string): Record<string, string | number> {
  return { VISIT: visit, CCD: ccd, FILTER: filter, EXPTIME: 30, "DATE-OBS": `2026-03-0${visit}T03:00:00.000`, OBJECT: "TESTFIELD" };
}

/** Writes a raw frame with these cards (a card given as undefined is left out); `seed` varies the pixels. */
export async function writeRaw(path: string, cards: Record<string, string | number | undefined>, seed = 0): Promise<void> {
  const header = new Header();
  for (const [k, v] of Object.entries(cards)) if (v !== undefined) header.set(k, v);
  const data = makeRawPixels(Number(cards.VISIT ?? 1) + seed * 100, Number(cards.CCD ?? 0), String(cards.FILTER ?? "g"));
  await writeFits(path, [{ kind: "image", header, data, shape: [SAMPLE_SIZE.height, SAMPLE_SIZE.width] }]);
}
