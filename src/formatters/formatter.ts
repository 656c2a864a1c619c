/**
 * The Formatter contract: object ⇄ bytes for one storage name (`FitsStorage`, `PickleStorage` …).
 * A formatter reads and writes through the Storage API only, so it works the same on every backend.
 *
 * @packageDocumentation
 */
import type { Storage } from "../storage/storage.js";
import type { ButlerLocation } from "../mapper/butler-location.js";

/** Where a formatter reads from or writes to. */
export interface FormatterContext {
  /** The repository's storage. */
  storage: Storage;
  /** The key of the object in that storage. */
  key: string;
  /** The mapper's location (dataset type, python type, data id, additional data). */
  location: ButlerLocation;
}

/** Turns objects into stored bytes and back, for one storage name. */
export interface Formatter {
  /** The policy storage name this formatter serves, e.g. `FitsStorage`. */
  readonly storageName: string;
  /**
   * Reads the object at `ctx.key`.
   * @throws NotFoundError when there is no object; FormatterError or FitsError when it is malformed
   */
  read(ctx: FormatterContext): Promise<unknown>;
  /**
   * Writes `obj` at `ctx.key` atomically: a failure leaves the previous object (if any) intact.
   * @throws FormatterError when the object is not of a type this formatter writes
   */
  write(obj: unknown, ctx: FormatterContext): Promise<void>;
}
