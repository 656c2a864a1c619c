/**
 * A storlet's answer as a storage client reads it (the Swift gateway's and skybutler's object API
 * alike): its metadata from the `X-Object-Meta-*` headers and the Content-Type, and a body that
 * fails as a StorletError when the server cut it (the storlet failed after its first byte).
 *
 * @packageDocumentation
 */
import { PassThrough, type Readable } from "node:stream";
import { StorletError } from "../errors.js";

/** The metadata of a storlet response (user metadata keys lower-case, and `Content-Type`). */
export function storletMetadataOf(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(", ") : value;
    if (name.startsWith("x-object-meta-")) out[name.slice("x-object-meta-".length)] = text;
    else if (name === "content-type") out["Content-Type"] = text;
  }
  return out;
}

/** The body, its transport failure (a cut chunked response) turned into a StorletError. */
export function storletBody(body: Readable): Readable {
  const out = new PassThrough();
  body.on("error", (err) => out.destroy(new StorletError(`the storlet's output was cut: it failed after its first byte (${err.message})`, { phase: "stream", cause: err })));
  body.pipe(out);
  return out;
}
