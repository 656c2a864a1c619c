/**
 * Runs Python scripts with Debian's interpreter, which has python3-astropy and numpy (a pyenv
 * `python3` earlier on PATH does not). Interop tests use it as the independent FITS implementation.
 */
import { execFile } from "node:child_process";

/** The interpreter that sees Debian's python3-astropy. */
export const PYTHON = "/usr/bin/python3";

/**
 * Runs `script` (passed with `-c`) with `args` as `sys.argv[1:]` and returns its stdout.
 * @throws Error carrying the script's stderr when it exits non-zero
 */
export function runPython(script: string, args: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, ["-c", script, ...args], { maxBuffer: 64 << 20, env: { ...process.env, PYTHONWARNINGS: "ignore" } }, (error, stdout, stderr) => {
      if (error) reject(new Error(`python failed (${error.message.split("\n")[0]}):\n${stderr}`, { cause: error }));
      else resolve(stdout);
    });
  });
}

/** Runs `script` and parses its stdout as JSON. */
export async function runPythonJson<T = unknown>(script: string, args: string[] = []): Promise<T> {
  return JSON.parse(await runPython(script, args)) as T;
}
