/**
 * A read-only Butler over one repository for the duration of a command.
 *
 * @packageDocumentation
 */
import { Butler } from "../butler/butler.js";

/** Opens a Butler on `repo` (any URI or path), runs `fn`, closes it. */
export async function withButler<T>(repo: string, fn: (butler: Butler) => Promise<T>): Promise<T> {
  const butler = await Butler.create({ inputs: repo });
  try {
    return await fn(butler);
  } finally {
    await butler.close();
  }
}
