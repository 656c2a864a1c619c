/**
 * Hosts for the many-writer test. Where the machine allows it (root and iproute2's `ip netns`),
 * each writer host is a network namespace of its own, joined by a veth pair to a bridge in a
 * "server" namespace whose address (169.254.213.1, link-local, existing only inside these
 * namespaces) relays to the real Swift and PostgreSQL: to Swift through a Unix socket this
 * process listens on (forwarding to its 127.0.0.1 port), to PostgreSQL through its own Unix
 * socket — so every writer reaches both over the veth network, as separate machines would.
 * Otherwise the hosts are plain processes on 127.0.0.1. Everything made here is removed by
 * {@link WriterHosts.close}: relays stopped by PID, namespaces deleted.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { connect, createServer, type Server } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const RELAY = fileURLToPath(new URL("./tcp-relay.mjs", import.meta.url));
/** The server namespace's address on the writers' bridge. */
export const SERVER_ADDRESS = "169.254.213.1";
const PREFIX = 24;

/** Whether this machine can make network namespaces (tried, not guessed). */
export function namespacesAvailable(): boolean {
  if (process.getuid?.() !== 0) return false;
  const probe = `sbprobe${process.pid}`;
  if (spawnSync("ip", ["netns", "add", probe], { stdio: "ignore" }).status !== 0) return false;
  spawnSync("ip", ["netns", "del", probe], { stdio: "ignore" });
  return true;
}

/** Where the writers reach the servers. */
export interface Endpoints {
  /** Swift's v1 auth URL as the writers see it. */
  swiftAuthUrl: string;
  /** PostgreSQL's host and port as the writers see them. */
  pgHost: string;
  pgPort: number;
}

function ip(args: string[]): void {
  const result = spawnSync("ip", args, { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`ip ${args.join(" ")}: ${result.stderr.trim()}`);
}

/** A relay child (node tcp-relay.mjs), started in a namespace, resolved once it listens. */
function startRelay(namespace: string, listen: string, to: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn("ip", ["netns", "exec", namespace, process.execPath, RELAY, "--listen", listen, "--to", to], { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    child.stdout!.once("data", () => resolve(child));
    child.once("exit", (code) => reject(new Error(`relay ${listen} exited with ${code}: ${err}`)));
  });
}

/** The writer hosts of one test. */
export class WriterHosts {
  /** True: network namespaces; false: processes on this host. */
  readonly namespaces: boolean;
  readonly endpoints: Endpoints;
  readonly #names: string[];
  readonly #relays: ChildProcess[];
  readonly #unixRelay: Server | undefined;
  #backstop: (() => void) | undefined;

  private constructor(namespaces: boolean, endpoints: Endpoints, names: string[], relays: ChildProcess[], unixRelay: Server | undefined) {
    this.namespaces = namespaces;
    this.endpoints = endpoints;
    this.#names = names;
    this.#relays = relays;
    this.#unixRelay = unixRelay;
  }

  /**
   * Makes `count` hosts. With namespaces, `dir` holds the Unix socket to Swift.
   * @param swift - the real Swift (port on 127.0.0.1); @param pg - the real PostgreSQL (port, socket directory)
   */
  static async create(count: number, useNamespaces: boolean, dir: string, swift: { port: number }, pg: { port: number; socketDir: string }): Promise<WriterHosts> {
    if (!useNamespaces) {
      return new WriterHosts(false, { swiftAuthUrl: `http://127.0.0.1:${swift.port}/auth/v1.0`, pgHost: "127.0.0.1", pgPort: pg.port }, [], [], undefined);
    }
    const tag = `sb${process.pid % 100000}`;
    const server = `${tag}s`;
    const names = [server];
    const relays: ChildProcess[] = [];
    let unixRelay: Server | undefined;
    const hosts = new WriterHosts(true, { swiftAuthUrl: `http://${SERVER_ADDRESS}:${swift.port}/auth/v1.0`, pgHost: SERVER_ADDRESS, pgPort: 5432 }, names, relays, undefined);
    try {
      ip(["netns", "add", server]);
      ip(["-n", server, "link", "set", "lo", "up"]);
      ip(["-n", server, "link", "add", "br0", "type", "bridge"]);
      ip(["-n", server, "addr", "add", `${SERVER_ADDRESS}/${PREFIX}`, "dev", "br0"]);
      ip(["-n", server, "link", "set", "br0", "up"]);
      for (let i = 0; i < count; i++) {
        const name = `${tag}h${i}`;
        ip(["netns", "add", name]);
        names.push(name);
        ip(["-n", name, "link", "set", "lo", "up"]);
        ip(["-n", name, "link", "add", "eth0", "type", "veth", "peer", "name", `v${i}`, "netns", server]);
        ip(["-n", server, "link", "set", `v${i}`, "master", "br0"]);
        ip(["-n", server, "link", "set", `v${i}`, "up"]);
        ip(["-n", name, "addr", "add", `169.254.213.${10 + i}/${PREFIX}`, "dev", "eth0"]);
        ip(["-n", name, "link", "set", "eth0", "up"]);
      }
      // Swift listens on the host's 127.0.0.1: this process bridges a Unix socket to it
      const swiftSocket = join(dir, "swift.sock");
      const open = new Set<import("node:net").Socket>();
      unixRelay = createServer((client) => {
        open.add(client);
        client.once("close", () => open.delete(client));
        const upstream = connect(swift.port, "127.0.0.1", () => {
          client.pipe(upstream);
          upstream.pipe(client);
        });
        const end = () => {
          client.destroy();
          upstream.destroy();
        };
        client.on("error", end).on("close", end);
        upstream.on("error", end).on("close", end);
      });
      await new Promise<void>((resolve) => unixRelay!.listen(swiftSocket, resolve));
      unixRelay.once("close", () => undefined);
      (unixRelay as Server & { destroyAll?: () => void }).destroyAll = () => {
        for (const socket of open) socket.destroy();
      };
      relays.push(await startRelay(server, `${SERVER_ADDRESS}:${swift.port}`, `unix:${swiftSocket}`));
      relays.push(await startRelay(server, `${SERVER_ADDRESS}:5432`, `unix:${join(pg.socketDir, `.s.PGSQL.${pg.port}`)}`));
      const made = new WriterHosts(true, hosts.endpoints, names, relays, unixRelay);
      // a run that dies before close() must not leave namespaces or relays behind
      const backstop = () => {
        for (const relay of relays) relay.kill("SIGKILL");
        for (const name of [...names].reverse()) spawnSync("ip", ["netns", "del", name], { stdio: "ignore" });
      };
      process.once("exit", backstop);
      made.#backstop = backstop;
      return made;
    } catch (err) {
      await new WriterHosts(true, hosts.endpoints, names, relays, unixRelay).close();
      throw err;
    }
  }

  /** The command that runs `cmd args` on host `i` (inside its namespace, or as is). */
  command(i: number, cmd: string, args: string[]): [string, string[]] {
    return this.namespaces ? ["ip", ["netns", "exec", this.#names[i + 1]!, cmd, ...args]] : [cmd, args];
  }

  /** Stops the relays (by PID), deletes the namespaces (and with them the veth pairs and bridge). */
  async close(): Promise<void> {
    if (this.#backstop !== undefined) process.off("exit", this.#backstop);
    await Promise.all(
      this.#relays.map(
        (relay) =>
          new Promise<void>((resolve) => {
            if (relay.exitCode !== null || relay.signalCode !== null) return resolve();
            relay.once("exit", () => resolve());
            relay.kill("SIGTERM");
          }),
      ),
    );
    for (const name of [...this.#names].reverse()) spawnSync("ip", ["netns", "del", name], { stdio: "ignore" });
    (this.#unixRelay as (Server & { destroyAll?: () => void }) | undefined)?.destroyAll?.();
    await new Promise<void>((resolve) => (this.#unixRelay === undefined ? resolve() : this.#unixRelay.close(() => resolve())));
  }
}
