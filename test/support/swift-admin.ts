/**
 * Raw HTTP as the account admin of the test server, independent of SwiftStorage: making containers
 * and ACLs for fixtures, and removing them afterwards.
 */
import { request } from "undici";
import type { SwiftServer } from "./swift-server.js";

/** Admin requests on the test account (tempauth v1 token of test:tester). */
export class SwiftAdmin {
  readonly #server: SwiftServer;
  #token: string | undefined;

  constructor(server: SwiftServer) {
    this.#server = server;
  }

  async token(): Promise<string> {
    if (this.#token === undefined) {
      const res = await request(this.#server.authUrl, { headers: { "x-auth-user": this.#server.user, "x-auth-key": this.#server.key } });
      await res.body.dump();
      this.#token = String(res.headers["x-auth-token"]);
    }
    return this.#token;
  }

  /** Sends a request to `storageUrl + path`; returns status, headers and body. */
  async send(method: string, path: string, headers: Record<string, string> = {}, body?: Buffer | string): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
    const res = await request(`${this.#server.storageUrl}${path}`, {
      method: method as "GET",
      headers: { ...headers, "x-auth-token": await this.token() },
      ...(body === undefined ? {} : { body }),
    });
    return { status: res.statusCode, headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()) };
  }

  /** Creates a container with optional headers (ACLs). */
  async createContainer(name: string, headers: Record<string, string> = {}): Promise<void> {
    const { status } = await this.send("PUT", `/${encodeURIComponent(name)}`, headers);
    if (status !== 201 && status !== 202) throw new Error(`PUT container ${name}: HTTP ${status}`);
  }

  /** Changes container headers (ACLs). */
  async postContainer(name: string, headers: Record<string, string>): Promise<void> {
    const { status } = await this.send("POST", `/${encodeURIComponent(name)}`, headers);
    if (status !== 204) throw new Error(`POST container ${name}: HTTP ${status}`);
  }

  /** Every object name in a container (following pages). */
  async names(container: string): Promise<string[]> {
    const out: string[] = [];
    for (let marker = ""; ; ) {
      const { status, body } = await this.send("GET", `/${encodeURIComponent(container)}?format=json&marker=${encodeURIComponent(marker)}`);
      if (status === 404) return out;
      const page = JSON.parse(body.toString()) as Array<{ name: string }>;
      if (page.length === 0) return out;
      out.push(...page.map((e) => e.name));
      marker = page[page.length - 1]!.name;
    }
  }

  /** Deletes every object of a container and the container. */
  async removeContainer(container: string): Promise<void> {
    const names = await this.names(container);
    await Promise.all(names.map((n) => this.send("DELETE", `/${encodeURIComponent(container)}/${n.split("/").map(encodeURIComponent).join("/")}`)));
    await this.send("DELETE", `/${encodeURIComponent(container)}`);
  }
}

let counter = 0;
/** A container name no other test uses. */
export function uniqueContainer(tag: string): string {
  return `${tag}-${process.pid}-${Date.now().toString(36)}-${(counter++).toString(36)}`;
}
