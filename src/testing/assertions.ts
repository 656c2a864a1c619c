/** Small assertion helpers shared by tests. */

/** Awaits a promise that must reject and returns its error. @throws Error when it resolves */
export async function rejection(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (err) {
    return err as Error & Record<string, unknown>;
  }
  throw new Error("expected a rejection, but the promise resolved");
}

/** Runs a function that must throw and returns its error. @throws Error when it returns */
export function thrown(fn: () => unknown): Error & Record<string, unknown> {
  try {
    fn();
  } catch (err) {
    return err as Error & Record<string, unknown>;
  }
  throw new Error("expected an error, but the function returned");
}
