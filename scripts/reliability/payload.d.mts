/** What writer `w` puts as its `i`-th dataset: `kib` KiB of a pattern naming both. */
export function payload(w: number, i: number, kib?: number): { w: number; i: number; pad: string };
