/**
 * Classes by the name a policy's `python` gives them, for the generic composite assembler (Gen2
 * imported `python: lsst.obs.test.RawAndFlatContainer`; here the class is registered by name).
 *
 * @packageDocumentation
 */
import { ConfigError } from "../errors.js";

/** A class the generic assembler can construct without arguments. */
export type PythonTypeConstructor = new () => object;

const types = new Map<string, PythonTypeConstructor>();

/**
 * Registers a class under a policy `python` name.
 *
 * ```ts
 * class RawAndFlat { raw?: Exposure; flat?: Exposure; setRaw(e: Exposure) { this.raw = e; } }
 * registerPythonType("RawAndFlat", RawAndFlat);
 * ```
 * @throws ConfigError when another class is registered under the name
 */
export function registerPythonType(name: string, ctor: PythonTypeConstructor): void {
  const current = types.get(name);
  if (current !== undefined && current !== ctor) throw new ConfigError(`a different class is already registered as python type "${name}"`);
  types.set(name, ctor);
}

/** The class registered under a name, if any. */
export function pythonTypeFor(name: string): PythonTypeConstructor | undefined {
  return types.get(name);
}

/**
 * Removes a registration (tests, plugins).
 * @returns whether the name was registered
 */
export function unregisterPythonType(name: string): boolean {
  return types.delete(name);
}
