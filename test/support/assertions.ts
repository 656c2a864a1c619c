/** Small assertion helpers shared by tests. */

/** Awaits a promise that must reject and returns its error. @throws Error when it resolves */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error("expected a rejection, but the promise resolved");
}
