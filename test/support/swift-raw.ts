/**
 * Raw requests to the test Swift with curl `--path-as-is`: object names that URL libraries would
 * normalise away (`a/../../x`, `//abs/x`) reach the server as written — how a hostile or careless
 * uploader stores names that must never become local paths on a pull.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { SwiftAdmin } from "./swift-admin.js";
import type { SwiftServer } from "./swift-server.js";

const run = promisify(execFile);

/** Sends `METHOD storageUrl/container/name` with the name byte for byte; returns the HTTP status. */
export async function rawObjectRequest(server: SwiftServer, admin: SwiftAdmin, method: "PUT" | "DELETE", container: string, name: string, body = ""): Promise<number> {
  const { stdout } = await run("curl", [
    "-sS", "--path-as-is", "-o", "/dev/null", "-w", "%{http_code}", "-X", method,
    "-H", `X-Auth-Token: ${await admin.token()}`,
    ...(method === "PUT" ? ["--data-binary", body] : []),
    `${server.storageUrl}/${container}/${name}`,
  ]);
  return Number(stdout);
}
