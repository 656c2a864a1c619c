/**
 * Formatters by storage name.
 *
 * @packageDocumentation
 */
import { ConfigError, FormatterError } from "../errors.js";
import type { Formatter } from "./formatter.js";

const formatters = new Map<string, Formatter>();

/**
 * Registers a formatter for its storage name.
 * @throws ConfigError when one is already registered for that name
 */
export function registerFormatter(formatter: Formatter): void {
  if (formatters.has(formatter.storageName)) {
    throw new ConfigError(`a formatter is already registered for storage "${formatter.storageName}"`);
  }
  formatters.set(formatter.storageName, formatter);
}

/**
 * The formatter for a storage name.
 * @throws FormatterError naming the registered storage names when there is none
 */
export function formatterFor(storageName: string): Formatter {
  const formatter = formatters.get(storageName);
  if (formatter === undefined) {
    throw new FormatterError(
      `no formatter for storage "${storageName}"; registered: ${[...formatters.keys()].sort().join(", ")}`,
    );
  }
  return formatter;
}

/** The registered storage names, sorted. */
export function registeredStorageNames(): string[] {
  return [...formatters.keys()].sort();
}
