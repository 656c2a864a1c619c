/**
 * The storlets a skybutler server runs on its own repositories (`X-Run-Storlet` on
 * `/api/v1/repos/NAME/objects/KEY`): the shipped ones (`fitscutout.js` …) always, and those an
 * admin deployed (`PUT /api/v1/storlets/storlet/NAME` with upstream's registration headers) into
 * the server's storlet directory (`--storlet-dir`), each object beside a JSON file of its
 * registration. Which repositories run storlets is the server owner's choice (upstream's
 * `X-Account-Meta-Storlet-Enabled`): `--storlets NAME…`, or an admin's `POST /api/v1/repos/NAME/storlets`.
 *
 * @packageDocumentation
 */
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { NotFoundError, UsageError } from "../errors.js";
import { BUILTIN_STORLETS, builtinName, builtinStorletPath } from "../storlets/builtin-storlets.js";
import { DEPENDENCY_CONTAINER, registrationParams, STORLET_CONTAINER, validateDependencyRegistration, validateStorletRegistration, type StorletDeployment } from "../storlets/deployment.js";
import type { DeployedObject } from "./storlet-service.js";

/** A storlet found in the store, ready for {@link StorletService.code}. */
export interface StoredStorlet {
  deployment: StorletDeployment;
  storlet: DeployedObject;
  dependency(name: string): Promise<DeployedObject>;
}

const NAME = /^[A-Za-z0-9._-]{1,200}$/;

/** Deployed and shipped storlets of a server, and the repositories that may run them. */
export class StorletStore {
  readonly #dir: string | undefined;
  readonly #enabled: Set<string>;

  /**
   * @param dir - where deployments are kept (none: only the shipped storlets)
   * @param enabled - repositories that run storlets (`*`: all)
   */
  constructor(dir: string | undefined, enabled: Iterable<string>) {
    this.#dir = dir;
    this.#enabled = new Set(enabled);
  }

  /** Whether a repository runs storlets. */
  enabled(repo: string): boolean {
    return this.#enabled.has("*") || this.#enabled.has(repo);
  }

  /** Turns storlets on or off for a repository (persisted in the storlet directory, when there is one). */
  async setEnabled(repo: string, on: boolean): Promise<void> {
    if (on) this.#enabled.add(repo);
    else this.#enabled.delete(repo);
    if (this.#dir !== undefined) {
      await mkdir(this.#dir, { recursive: true, mode: 0o700 });
      await writeFile(join(this.#dir, "enabled.json"), JSON.stringify([...this.#enabled]), { mode: 0o600 });
    }
  }

  /** Loads the repositories enabled by an earlier `setEnabled` (a restart keeps them). */
  async load(): Promise<void> {
    if (this.#dir === undefined) return;
    try {
      for (const name of JSON.parse(await readFile(join(this.#dir, "enabled.json"), "utf8")) as string[]) this.#enabled.add(name);
    } catch {
      // none yet
    }
  }

  #path(container: string, name: string): string {
    if (this.#dir === undefined) throw new UsageError("this server keeps no deployed storlets: start it with --storlet-dir DIR");
    if (container !== STORLET_CONTAINER && container !== DEPENDENCY_CONTAINER) throw new UsageError(`storlets are deployed to "${STORLET_CONTAINER}" or "${DEPENDENCY_CONTAINER}", not "${container}"`);
    if (!NAME.test(name) || name.startsWith(".")) throw new UsageError(`"${name}" is not a storlet object name (letters, digits, ".", "_", "-")`);
    return join(this.#dir, container, name);
  }

  /**
   * Stores a deployment after upstream's checks, atomically (the object and its registration).
   * @throws UsageError (400) with upstream's message for a registration it would refuse
   */
  async put(container: string, name: string, headers: Readonly<Record<string, unknown>>, body: Readable): Promise<void> {
    const path = this.#path(container, name);
    const params = registrationParams(headers);
    if (container === STORLET_CONTAINER) validateStorletRegistration(params, name);
    else validateDependencyRegistration(params);
    await mkdir(join(this.#dir!, container), { recursive: true, mode: 0o700 });
    const temp = `${path}.${process.pid}.tmp`;
    try {
      await pipeline(body, createWriteStream(temp, { mode: 0o600 }));
      await writeFile(`${temp}.json`, JSON.stringify(params), { mode: 0o600 });
      await rename(`${temp}.json`, `${path}.json`);
      await rename(temp, path);
    } finally {
      await rm(temp, { force: true });
      await rm(`${temp}.json`, { force: true });
    }
  }

  /** Removes a deployment. @throws NotFoundError */
  async delete(container: string, name: string): Promise<void> {
    const path = this.#path(container, name);
    try {
      await stat(path);
    } catch {
      throw new NotFoundError(`${container}/${name}`, "the server's storlets");
    }
    await rm(path, { force: true });
    await rm(`${path}.json`, { force: true });
  }

  /** Names of the storlets that can run: deployed, then shipped. */
  async list(): Promise<Array<{ name: string; main: string; shipped: boolean }>> {
    const out: Array<{ name: string; main: string; shipped: boolean }> = [];
    if (this.#dir !== undefined) {
      const names = await readdir(join(this.#dir, STORLET_CONTAINER)).catch(() => [] as string[]);
      for (const file of names.filter((n) => n.endsWith(".json")).sort()) {
        const params = JSON.parse(await readFile(join(this.#dir, STORLET_CONTAINER, file), "utf8")) as Record<string, string>;
        out.push({ name: file.slice(0, -5), main: params.Main ?? "", shipped: false });
      }
    }
    for (const builtin of Object.values(BUILTIN_STORLETS)) if (!out.some((o) => o.name === builtin.file)) out.push({ name: builtin.file, main: builtin.main, shipped: true });
    return out;
  }

  /** A storlet by object name: deployed, else shipped; undefined when neither. */
  async find(name: string): Promise<StoredStorlet | undefined> {
    if (this.#dir !== undefined && NAME.test(name)) {
      const path = join(this.#dir, STORLET_CONTAINER, name);
      const registration = await readFile(`${path}.json`, "utf8").catch(() => undefined);
      if (registration !== undefined) {
        const deployment = validateStorletRegistration(JSON.parse(registration) as Record<string, string>, name);
        return { deployment, storlet: await this.#object(path, 0o400), dependency: (dep) => this.#dependency(dep) };
      }
    }
    const shipped = builtinName(name);
    if (shipped === undefined || BUILTIN_STORLETS[shipped]!.file !== name) return undefined;
    const builtin = BUILTIN_STORLETS[shipped]!;
    const path = await builtinStorletPath(shipped);
    return {
      deployment: { name: builtin.file, language: "javascript", main: builtin.main, dependencies: [] },
      storlet: await this.#object(path, 0o400),
      dependency: async (dep) => {
        throw new NotFoundError(dep, "the shipped storlets' dependencies");
      },
    };
  }

  async #dependency(name: string): Promise<DeployedObject> {
    const path = this.#path(DEPENDENCY_CONTAINER, name);
    let params: Record<string, string>;
    try {
      params = JSON.parse(await readFile(`${path}.json`, "utf8")) as Record<string, string>;
    } catch {
      throw new NotFoundError(`${DEPENDENCY_CONTAINER}/${name}`, "the server's storlets");
    }
    return this.#object(path, validateDependencyRegistration(params));
  }

  async #object(path: string, mode: number): Promise<DeployedObject> {
    const info = await stat(path);
    return { version: `${info.size}/${info.mtimeMs}/${info.ino}`, mode, open: async () => createReadStream(path) };
  }
}
