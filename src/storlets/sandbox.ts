/**
 * How a storlet's process is isolated. Two ways, chosen once per process by what the machine allows:
 *
 * - `namespaces` (root, or unprivileged user namespaces): `unshare` gives the process its own
 *   network (no interface but a loopback that is down: no network at all), mount, PID, IPC and UTS
 *   namespaces; `enter-sandbox.sh` shows it only /usr, its own code and skybutler's host scripts,
 *   read-only, then drops it to an unprivileged user with no capabilities under an address-space
 *   limit.
 * - `permissions` (neither): Node's permission model (`--experimental-permission`: files outside
 *   the storlet's directory, child processes and workers refused) with sockets refused by the host
 *   script, and for Python an audit hook refusing sockets, processes and files outside the
 *   storlet's directory and the interpreter's libraries; the same address-space limit (`prlimit`).
 *   Weaker: a determined native extension could get past an audit hook.
 *
 * @packageDocumentation
 */
import { execFile } from "node:child_process";
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The isolation of storlet processes. */
export type SandboxMode = "namespaces" | "permissions";

/** The languages a storlet may be written in. */
export type StorletLanguage = "python" | "javascript";

/** Debian's interpreter, with numpy and astropy (not a pyenv or venv python on PATH). */
export const PYTHON = "/usr/bin/python3";

/** The unprivileged user storlets run as in the `namespaces` mode (`nobody`). */
export const SANDBOX_UID = 65534;

/** Directory of the host scripts (`js-host.mjs`, `storlet_host.py`, `enter-sandbox.sh`), from source or build. */
export const HOSTS_DIR = fileURLToPath(new URL("./hosts/", import.meta.url));

let detected: Promise<{ mode: SandboxMode; userns: boolean }> | undefined;

/**
 * Which isolation this machine allows: `namespaces` when `unshare` can make mount, network and PID
 * namespaces (as root, or through an unprivileged user namespace), else `permissions`. Probed once.
 * `SKYBUTLER_STORLET_SANDBOX=permissions` forces the weaker mode (to try what a machine without
 * namespaces does).
 */
export function sandboxMode(): Promise<{ mode: SandboxMode; userns: boolean }> {
  if (process.env.SKYBUTLER_STORLET_SANDBOX === "permissions") return Promise.resolve({ mode: "permissions", userns: false });
  detected ??= (async () => {
    const probe = async (args: string[]): Promise<boolean> => {
      try {
        await run("unshare", [...args, "--mount", "--net", "--pid", "--ipc", "--uts", "--fork", "--kill-child", "--", "true"], { timeout: 10_000 });
        return true;
      } catch {
        return false;
      }
    };
    if (process.getuid?.() === 0 && (await probe([]))) return { mode: "namespaces", userns: false };
    if (await probe(["--user", "--map-root-user"])) return { mode: "namespaces", userns: true };
    return { mode: "permissions", userns: false };
  })();
  return detected;
}

/** Memory a runtime reserves as address space before it holds any data (V8 maps ~0.7 GiB at start). */
const RESERVED_MIB: Record<StorletLanguage, number> = { javascript: 1024, python: 0 };

/** What a sandboxed command needs. */
export interface SandboxCommand {
  /** Program and arguments to spawn. */
  command: string;
  args: string[];
}

/** Where the invocation's files are and what it may use. */
export interface SandboxLayout {
  mode: SandboxMode;
  /** Whether the namespaces come from an unprivileged user namespace (then no uid change). */
  userns: boolean;
  language: StorletLanguage;
  /** An empty directory to mount the sandbox's root on (`namespaces`). */
  rootDir: string;
  /** The storlet's code and dependencies. */
  codeDir: string;
  /** Memory limit in MiB (of data: the runtime's own reservation is added). */
  memoryMiB: number;
}

/** The path of the storlet's code as the storlet sees it. */
export function codePathInside(layout: Pick<SandboxLayout, "mode" | "codeDir">): string {
  return layout.mode === "namespaces" ? "/storlet" : layout.codeDir;
}

/** The command that runs the language's host script in the sandbox. */
export function sandboxCommand(layout: SandboxLayout): SandboxCommand {
  const node = realpathSync(process.execPath);
  const addressSpaceKiB = (layout.memoryMiB + RESERVED_MIB[layout.language]) * 1024;
  const hosts = layout.mode === "namespaces" ? "/host/" : HOSTS_DIR;
  const runtime =
    layout.language === "javascript"
      ? {
          program: node,
          args: [
            `--max-old-space-size=${layout.memoryMiB}`,
            ...(layout.mode === "permissions" ? ["--experimental-permission", `--allow-fs-read=${layout.codeDir}`, `--allow-fs-read=${HOSTS_DIR}`, "--no-warnings"] : []),
            `${hosts}js-host.mjs`,
          ],
        }
      : { program: PYTHON, args: ["-B", "-s", `${hosts}storlet_host.py`] };
  if (layout.mode === "namespaces") {
    return {
      command: "unshare",
      args: [
        ...(layout.userns ? ["--user", "--map-root-user"] : []),
        "--mount",
        "--net",
        "--pid",
        "--ipc",
        "--uts",
        "--fork",
        "--kill-child",
        "--",
        "bash",
        `${HOSTS_DIR}enter-sandbox.sh`,
        layout.rootDir,
        layout.codeDir,
        HOSTS_DIR,
        String(layout.userns ? 0 : SANDBOX_UID),
        String(addressSpaceKiB),
        runtime.program,
        ...runtime.args,
      ],
    };
  }
  return { command: "prlimit", args: [`--as=${addressSpaceKiB * 1024}`, "--core=0", "--", runtime.program, ...runtime.args] };
}
