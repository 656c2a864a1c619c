/** What writer `w` puts as its `i`-th dataset. */
export function payload(w: number, i: number): { w: number; i: number; pad: string };
/** The visit (data id) of writer `w`'s `i`-th put. */
export function visitOf(w: number, i: number): number;
