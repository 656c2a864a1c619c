/**
 * Where a read looks for a dataset: each location as mapped, then — for FITS datasets — with
 * `.gz` and `.fz` appended (Gen2's `instanceSearch`: gzip- and fpack-compressed copies). Only the
 * FITS formatters read those, so other types cost no extra existence checks (a HEAD each on Swift).
 *
 * @packageDocumentation
 */
import type { ButlerLocation } from "../mapper/index.js";

/** The keys to try, in order, for a mapped location. */
export function readCandidates(location: Pick<ButlerLocation, "locations" | "storageName">): string[] {
  if (!location.storageName.startsWith("Fits")) return [...location.locations];
  return location.locations.flatMap((key) => [key, `${key}.gz`, `${key}.fz`]);
}
