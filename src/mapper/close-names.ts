/**
 * "Did you mean …?" suggestions for unknown names.
 * @packageDocumentation
 */

/**
 * Names that look like `name` (case-insensitively): Levenshtein distance ≤ 2 — less for short names,
 * a third of the length at least 1, so "cal" does not suggest "raw" — or one is a prefix of the other
 * with at least 3 characters in common. Closest first, at most `limit`.
 *
 * ```ts
 * closeNames("calexpp", ["calexp", "raw", "src"]);  // ["calexp"]
 * ```
 */
export function closeNames(name: string, candidates: Iterable<string>, limit = 5): string[] {
  const scored: Array<[number, string]> = [];
  const lower = name.toLowerCase();
  const maxDistance = Math.max(1, Math.min(2, Math.floor(lower.length / 3)));
  for (const candidate of candidates) {
    const other = candidate.toLowerCase();
    const distance = levenshtein(lower, other);
    const prefix = Math.min(lower.length, other.length) >= 3 && (other.startsWith(lower) || lower.startsWith(other));
    if (distance <= maxDistance || prefix) scored.push([distance, candidate]);
  }
  scored.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return scored.slice(0, limit).map(([, n]) => n);
}

/** Edit distance (insertions, deletions, substitutions), one row of the table at a time. */
export function levenshtein(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[b.length]!;
}
