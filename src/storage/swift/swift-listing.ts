/**
 * Container listings: JSON pages followed with `marker` until an empty page (the server's page
 * limit is not known in advance), a page cut short fetched again.
 *
 * @packageDocumentation
 */
import { StorageError } from "../../errors.js";
import { backoffMs, classifyTransport, sleep } from "../retry-policy.js";
import type { SwiftClient } from "./swift-client.js";

/** One entry of a JSON container listing: an object, or a rolled-up `subdir` with a delimiter. */
export interface ListingEntry {
  name?: string;
  subdir?: string;
  bytes?: number;
  hash?: string;
  last_modified?: string;
  content_type?: string;
}

/**
 * One page of a JSON listing after `marker`.
 * @returns the entries and the HTTP status (404: no container, 403: no listing permission)
 * @throws StorageError as {@link SwiftClient.send}, or E_CONNECTION/E_TIMEOUT when every attempt was cut short
 */
export async function listPage(client: SwiftClient, prefix: string, delimiter: string | undefined, marker: string): Promise<{ status: number; entries: ListingEntry[] }> {
  const query: Record<string, string> = { format: "json", prefix };
  if (delimiter !== undefined) query.delimiter = delimiter;
  if (marker !== "") query.marker = marker;
  // nothing of a page is handed on before all of it arrived, so a page cut short is fetched again
  for (let attempt = 1; ; attempt++) {
    const response = await client.send({ method: "GET", query });
    if (response.statusCode !== 200) {
      await response.body.dump();
      return { status: response.statusCode, entries: [] };
    }
    try {
      return { status: 200, entries: (await response.body.json()) as ListingEntry[] };
    } catch (err) {
      const failure = classifyTransport(err);
      const what = `listing of ${client.pathOf()}`;
      if (failure.code === undefined) throw new StorageError(`Swift ${what} is not valid JSON: ${failure.what}`, { cause: err });
      if (attempt >= client.policy.tries) throw new StorageError(`Swift ${what} was cut short ${attempt} times: ${failure.what}`, { code: failure.code, cause: err });
      await sleep(backoffMs(attempt, client.policy));
    }
  }
}

/**
 * The names below `prefix` (already including the storage's root prefix), with the root prefix
 * (`rootLength` characters) cut off; `shallow` rolls up "directories" with a `/` delimiter.
 * @throws the error `fail` makes for a non-200 page (PermissionDeniedError …), ClosedError via `assertOpen`
 */
export function listNames(
  client: SwiftClient,
  prefix: string,
  rootLength: number,
  shallow: boolean,
  assertOpen: () => void,
  fail: (status: number) => Error,
): AsyncIterable<string> {
  const delimiter = shallow ? "/" : undefined;
  return {
    async *[Symbol.asyncIterator]() {
      let marker = "";
      for (;;) {
        assertOpen();
        const page = await listPage(client, prefix, delimiter, marker);
        if (page.status !== 200) throw fail(page.status);
        if (page.entries.length === 0) return;
        for (const entry of page.entries) {
          const name = entry.name ?? entry.subdir ?? "";
          marker = name;
          yield name.slice(rootLength);
        }
      }
    },
  };
}

/**
 * Objects and bytes below `prefix`, from the listing's own sizes (no HEAD per object).
 * @throws the error `fail` makes for a non-200 page, StorageError as {@link listPage}
 */
export async function countListing(client: SwiftClient, prefix: string, fail: (status: number) => Error): Promise<{ objects: number; bytes: number }> {
  let objects = 0;
  let bytes = 0;
  let marker = "";
  for (;;) {
    const page = await listPage(client, prefix, undefined, marker);
    if (page.status !== 200) throw fail(page.status);
    if (page.entries.length === 0) return { objects, bytes };
    for (const entry of page.entries) {
      marker = entry.name ?? "";
      objects++;
      bytes += entry.bytes ?? 0;
    }
  }
}
