/**
 * The storlets of test/fixtures/storlets (written in upstream's contract style, importing nothing
 * of skybutler) and a helper that runs one to the end.
 */
import { expect } from "chai";
import { fileURLToPath } from "node:url";
import { rejection } from "../../src/testing/assertions.js";
import { join } from "node:path";
import { localStorletCode } from "../../src/storlets/local-code.js";
import type { StorletCode } from "../../src/storlets/storlet-process.js";
import type { StorletInput } from "../../src/storlets/storlet-input.js";
import { StorletRunner } from "../../src/storlets/storlet-runner.js";

/** Directory of the fixture storlets. */
export const FIXTURES = fileURLToPath(new URL("../fixtures/storlets/", import.meta.url));

/** The code of a fixture: `fixture("identity.py", "IdentityStorlet")`. */
export function fixture(file: string, className: string, dependencies: string[] = []): Promise<StorletCode> {
  return localStorletCode(join(FIXTURES, file), { main: `${file.replace(/\.[^.]*$/, "")}.${className}`, dependencies: dependencies.map((d) => join(FIXTURES, d)) });
}

/** What a run produced. */
export interface Ran {
  metadata: Record<string, string>;
  body: Buffer;
  log: string;
}

/** Runs a storlet to the end of its output. */
export async function runToEnd(code: StorletCode, inputs: StorletInput[], params: Record<string, string> = {}, runner = new StorletRunner()): Promise<Ran> {
  const out = await runner.run({ code, inputs, params });
  const body = Buffer.concat(await out.body.toArray());
  return { metadata: out.metadata, body, log: out.log() };
}

/** The error a promise rejects with, checked to be of class `cls`. */
export async function failure<E extends Error>(promise: Promise<unknown>, cls: new (...args: never[]) => E): Promise<E> {
  const err = await rejection(promise);
  expect(err).to.be.instanceOf(cls);
  return err as unknown as E;
}
