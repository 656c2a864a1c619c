/**
 * The built-in mappers, registered by name on import (idempotently).
 * @packageDocumentation
 */
import { isMapperRegistered, registerMapper } from "../src/mapper/mapper-registry.js";

/** Names and loaders of the mappers that ship with skybutler. */
const BUILTIN = {
  testcam: () => import("./testcam/testcam-mapper.js").then((m) => m.TestCamMapper),
  minicam: () => import("./minicam/minicam-mapper.js").then((m) => m.MiniCamMapper),
} as const;

/** Registers every built-in mapper not registered yet; safe to call any number of times. */
export function registerBuiltinMappers(): void {
  for (const [name, loader] of Object.entries(BUILTIN)) {
    if (!isMapperRegistered(name)) registerMapper(name, loader);
  }
}

registerBuiltinMappers();
