/**
 * Seeded randomness for the fault-injecting tests, so that a failing run can be replayed: the
 * seed comes from `FAULT_SEED` (an unsigned 32-bit integer) or is drawn at random, and
 * {@link replayable} puts it into the failure message (`… [replay with FAULT_SEED=123]`).
 *
 * ```ts
 * const seed = faultSeed();
 * await replayable(seed, async () => { const random = mulberry32(seed); … });
 * ```
 */

/**
 * Mulberry32 (Tommy Ettinger's 32-bit generator): small, fast and good enough to pick faults.
 * @returns a function giving the next number in [0, 1)
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The seed of this run: `FAULT_SEED` when set, else a random one.
 * @throws Error when `FAULT_SEED` is not an unsigned 32-bit integer
 */
export function faultSeed(value: string | undefined = process.env.FAULT_SEED): number {
  if (value === undefined || value.trim() === "") return Math.floor(Math.random() * 2 ** 32);
  const seed = Number(value);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
    throw new Error(`FAULT_SEED=${value} is not an unsigned 32-bit integer`);
  }
  return seed;
}

/**
 * Runs a test body and, when it fails, adds the seed to the error's message (and to its stack,
 * where reporters look for the message) so the failure can be replayed.
 * @throws whatever `body` throws, with `[replay with FAULT_SEED=<seed>]` appended
 */
export async function replayable<T>(seed: number, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof Error) {
      const note = ` [replay with FAULT_SEED=${seed}]`;
      const before = err.message;
      err.message = before + note;
      // V8 formats a stack on first access, with the message of that moment: an error whose stack
      // was already read keeps the old message there, where a reporter looks for it
      if (err.stack !== undefined && !err.stack.includes(err.message)) {
        err.stack = before !== "" && err.stack.includes(before) ? err.stack.replace(before, err.message) : `${note.trim()}\n${err.stack}`;
      }
    }
    throw err;
  }
}
