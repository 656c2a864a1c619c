/**
 * Where a read looks for a dataset: each location as mapped, then with `.gz` and `.fz` appended
 * (Gen2's `instanceSearch`: gzip-compressed and fpack-compressed copies of FITS files).
 *
 * @packageDocumentation
 */

/** The keys to try, in order, for the mapped locations. */
export function readCandidates(locations: readonly string[]): string[] {
  return locations.flatMap((key) => [key, `${key}.gz`, `${key}.fz`]);
}
