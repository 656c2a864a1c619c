/**
 * A small, read-only world coordinate system value: the linear FITS WCS cards of a header, as
 * `<type>_wcs` returns them. It describes the WCS; it does not transform coordinates.
 *
 * @packageDocumentation
 */
import type { Header, HeaderValue } from "./header.js";

/**
 * The linear WCS of a FITS header (FITS WCS paper I). Values are as written: `crpix` is 1-based
 * FITS pixels (LSST's 0-based pixel of the same point is `crpix - 1`, then minus `LTV`).
 *
 * `cd` is always filled: from `CDi_j` when present, else `PCi_j` (identity by default) scaled by
 * `CDELTi`, else `CDELTi` with `CROTA2` (the old AIPS convention).
 */
export interface Wcs {
  /** `CTYPE1`, `CTYPE2`, e.g. `["RA---TAN", "DEC--TAN"]`. */
  ctype: [string, string];
  /** `CRPIX1`, `CRPIX2` (1-based). */
  crpix: [number, number];
  /** `CRVAL1`, `CRVAL2` (degrees for celestial axes). */
  crval: [number, number];
  /** The linear transform `[[CD1_1, CD1_2], [CD2_1, CD2_2]]` (units of `crval` per pixel). */
  cd: [[number, number], [number, number]];
  /** `CUNIT1`, `CUNIT2` when present. */
  cunit?: [string, string];
  /** `RADESYS` (or the older `RADECSYS`) when present, e.g. `ICRS`. */
  radesys?: string;
  /** `EQUINOX` when present. */
  equinox?: number;
}

/**
 * Reads the linear WCS from header cards; `undefined` when the header has no `CTYPE1`/`CRVAL1` (no
 * WCS at all). Looks in `headers` in order and uses the first that has one (LSST writes the WCS into
 * the primary header; other writers into the image extension).
 *
 * ```ts
 * wcsFromHeaders([primary]);  // { ctype: ["RA---TAN", "DEC--TAN"], crpix: [32.5, 24.5], crval: [150, 2.2], cd: [...] }
 * ```
 */
export function wcsFromHeaders(headers: readonly Header[]): Wcs | undefined {
  const header = headers.find((h) => h.has("CTYPE1") && h.has("CRVAL1"));
  if (header === undefined) return undefined;
  const num = (key: string, fallback: number): number => toNumber(header.get(key)) ?? fallback;
  const str = (key: string): string | undefined => {
    const v = header.get(key);
    return typeof v === "string" ? v.trim() : undefined;
  };
  const wcs: Wcs = {
    ctype: [str("CTYPE1") ?? "", str("CTYPE2") ?? ""],
    crpix: [num("CRPIX1", 0), num("CRPIX2", 0)],
    crval: [num("CRVAL1", 0), num("CRVAL2", 0)],
    cd: linearTransform(header, num),
  };
  const cunit1 = str("CUNIT1");
  const cunit2 = str("CUNIT2");
  if (cunit1 !== undefined || cunit2 !== undefined) wcs.cunit = [cunit1 ?? "", cunit2 ?? ""];
  const radesys = str("RADESYS") ?? str("RADECSYS");
  if (radesys !== undefined) wcs.radesys = radesys;
  const equinox = toNumber(header.get("EQUINOX"));
  if (equinox !== undefined) wcs.equinox = equinox;
  return wcs;
}

function linearTransform(header: Header, num: (key: string, fallback: number) => number): Wcs["cd"] {
  if (["CD1_1", "CD1_2", "CD2_1", "CD2_2"].some((k) => header.has(k))) {
    return [
      [num("CD1_1", 0), num("CD1_2", 0)],
      [num("CD2_1", 0), num("CD2_2", 0)],
    ];
  }
  const cdelt1 = num("CDELT1", 1);
  const cdelt2 = num("CDELT2", 1);
  if (!["PC1_1", "PC1_2", "PC2_1", "PC2_2"].some((k) => header.has(k)) && header.has("CROTA2")) {
    // AIPS convention (FITS WCS paper II §6.1): rotation of the second axis
    const rho = (num("CROTA2", 0) * Math.PI) / 180;
    return [
      [cdelt1 * Math.cos(rho), -cdelt2 * Math.sin(rho)],
      [cdelt1 * Math.sin(rho), cdelt2 * Math.cos(rho)],
    ];
  }
  return [
    [cdelt1 * num("PC1_1", 1), cdelt1 * num("PC1_2", 0)],
    [cdelt2 * num("PC2_1", 0), cdelt2 * num("PC2_2", 1)],
  ];
}

function toNumber(value: HeaderValue | undefined): number | undefined {
  if (typeof value === "number") return value;
  if (typeof value === "bigint") return Number(value);
  return undefined;
}
