/**
 * The first request of every SwiftStorage: does the container exist (and may this user read it)?
 *
 * @packageDocumentation
 */
import { NotFoundError, PermissionDeniedError } from "../../errors.js";
import { swiftError } from "./http-errors.js";
import type { SwiftClient } from "./swift-client.js";

/**
 * HEADs the container and creates it when asked to.
 * @param where - the root URI, for messages; @param who - the authenticated user, for messages
 * @throws NotFoundError for a missing container without `create`, PermissionDeniedError when the user
 *   may not read (or create) it, AuthError/ConfigError from authentication, StorageError otherwise
 */
export async function openContainer(client: SwiftClient, create: boolean, where: string, who: string): Promise<void> {
  const head = await client.send({ method: "HEAD" });
  await head.body.dump();
  const name = client.container;
  if (head.statusCode >= 200 && head.statusCode < 300) return;
  if (head.statusCode === 404 && create) {
    const put = await client.send({ method: "PUT" });
    await put.body.dump();
    if (put.statusCode === 201 || put.statusCode === 202) return;
    if (put.statusCode === 403) {
      const err = new PermissionDeniedError(name, where);
      err.message = `${who} may not create the Swift container "${name}" for ${where} (HTTP 403): create it as the account owner, or use an existing container`;
      throw err;
    }
    throw swiftError({ method: "PUT", key: name, where, status: put.statusCode });
  }
  if (head.statusCode === 404) {
    const err = new NotFoundError(name, where);
    err.message = `the Swift container "${name}" of ${where} does not exist: check the URI, or open it as an output (create) to make it`;
    throw err;
  }
  if (head.statusCode === 403) {
    // Swift answers 403, not 404, for a container a non-owner may not see, missing or not
    const err = new PermissionDeniedError(name, where);
    err.message = `${who} may not read the Swift container "${name}" of ${where} (HTTP 403): check the container name, or ask its owner for read access (X-Container-Read)`;
    throw err;
  }
  throw swiftError({ method: "HEAD", key: name, where, status: head.statusCode, who });
}
