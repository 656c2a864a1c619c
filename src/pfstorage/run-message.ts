/**
 * pfstorage's dispatch: a message's `action` to its handler, every failure a result with
 * `status: false`, a message and a typed code — never a traceback.
 *
 * Deviations from pfstorage 2.0.0.2: the command line and the server offer the same actions (`ls`,
 * `objPut` and its documented alias `objPush`, `objPull`, `hello`); `internalctl` and the remote
 * `ctl` shutdown are not offered; an unknown action says which ones exist.
 *
 * @packageDocumentation
 */
import { ButlerError, UsageError } from "../errors.js";
import { errorFromCode } from "../error-from-code.js";
import { helloAction } from "./actions/hello.js";
import { lsAction } from "./actions/ls.js";
import { objPullAction } from "./actions/obj-pull.js";
import { objPutAction } from "./actions/obj-put.js";
import type { PfMessage } from "./message.js";
import type { PfContext } from "./pf-context.js";

type Action = (meta: Readonly<Record<string, unknown>>, ctx: PfContext) => Promise<Record<string, unknown>>;

const ACTIONS: Record<string, Action> = {
  hello: helloAction,
  ls: lsAction,
  objPull: objPullAction,
  objPut: (meta, ctx) => objPutAction(meta, ctx, "objPut"),
  objPush: (meta, ctx) => objPutAction(meta, ctx, "objPush"),
};

/** The names of the actions offered. */
export const ACTION_NAMES = Object.keys(ACTIONS).sort();

/** What running a message gave: pfstorage's result, and the error when the whole request failed. */
export interface PfOutcome {
  result: Record<string, unknown>;
  /** Set when the request failed as a whole (not for a transfer in which some files failed). */
  error?: ButlerError;
}

/**
 * Runs a message.
 * @param clean - applied to error messages (a server removes its paths)
 * @returns the result; errors that are not skybutler's are rethrown (bugs)
 */
export async function runMessage(msg: PfMessage, ctx: PfContext, clean: (text: string) => string = (t) => t): Promise<PfOutcome> {
  try {
    if (msg.meta.ctl !== undefined) {
      throw errorFromCode("E_PERMISSION_DENIED", "remote control (meta.ctl) is not offered; stop the server with SIGTERM");
    }
    const action = ACTIONS[msg.action];
    if (action === undefined) {
      const extra = msg.action === "internalctl" ? " (internalctl is not offered: it exposed and changed the server's secrets)" : "";
      throw new UsageError(`unknown action "${msg.action}"${extra}; the actions are ${ACTION_NAMES.join(", ")}`);
    }
    return { result: await action(msg.meta, ctx) };
  } catch (err) {
    if (!(err instanceof ButlerError)) throw err;
    return { result: { status: false, msg: clean(err.message), code: err.code }, error: err };
  }
}
