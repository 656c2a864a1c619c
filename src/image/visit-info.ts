/**
 * What an exposure's header says about the observation, as `<type>_visitInfo` returns it.
 *
 * @packageDocumentation
 */
import type { Header, HeaderValue } from "./header.js";

/**
 * Observation facts read from standard FITS cards (a plain value, not LSST's `VisitInfo` class).
 * Each field is present only when its card is.
 */
export interface VisitInfo {
  /** Seconds, from `EXPTIME` (or `EXPOSURE`). */
  exposureTime?: number;
  /** Seconds, from `DARKTIME`. */
  darkTime?: number;
  /** Start of the exposure as written in `DATE-OBS` (ISO-8601 text), with `TIME-OBS` appended when separate. */
  date?: string;
  /** Time scale of `date`, from `TIMESYS` (e.g. `TAI`, `UTC`). */
  timeSystem?: string;
  /** Modified Julian date of the start, from `MJD-OBS`. */
  mjd?: number;
  /** From `AIRMASS`. */
  airmass?: number;
  /** Boresight in degrees, from `RA`/`DEC` when they are numbers. */
  boresightRaDec?: [number, number];
  /** From `OBJECT`. */
  object?: string;
  /** From `TELESCOP`, `INSTRUME`. */
  telescope?: string;
  instrument?: string;
}

/**
 * Reads a {@link VisitInfo} from the first header that has each card (primary first).
 *
 * ```ts
 * visitInfoFromHeaders([primary]);  // { exposureTime: 30, date: "2026-03-01T03:00:00.000", … }
 * ```
 */
export function visitInfoFromHeaders(headers: readonly Header[]): VisitInfo {
  const get = (key: string): HeaderValue | undefined => {
    for (const h of headers) if (h.has(key)) return h.get(key);
    return undefined;
  };
  const num = (key: string): number | undefined => {
    const v = get(key);
    return typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : undefined;
  };
  const str = (key: string): string | undefined => {
    const v = get(key);
    return typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;
  };
  const info: VisitInfo = {};
  const exposureTime = num("EXPTIME") ?? num("EXPOSURE");
  if (exposureTime !== undefined) info.exposureTime = exposureTime;
  const darkTime = num("DARKTIME");
  if (darkTime !== undefined) info.darkTime = darkTime;
  let date = str("DATE-OBS");
  const time = str("TIME-OBS");
  // Old headers split the date and the time into two cards.
  if (date !== undefined && time !== undefined && !date.includes("T")) date = `${date}T${time}`;
  if (date !== undefined) info.date = date;
  const timeSystem = str("TIMESYS");
  if (timeSystem !== undefined) info.timeSystem = timeSystem;
  const mjd = num("MJD-OBS");
  if (mjd !== undefined) info.mjd = mjd;
  const airmass = num("AIRMASS");
  if (airmass !== undefined) info.airmass = airmass;
  const ra = num("RA");
  const dec = num("DEC");
  if (ra !== undefined && dec !== undefined) info.boresightRaDec = [ra, dec];
  for (const [field, key] of [["object", "OBJECT"], ["telescope", "TELESCOP"], ["instrument", "INSTRUME"]] as const) {
    const value = str(key);
    if (value !== undefined) info[field] = value;
  }
  return info;
}
