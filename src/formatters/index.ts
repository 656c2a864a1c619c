/**
 * Formatters by storage name; importing this module registers the built-in ones.
 * @packageDocumentation
 */
import { registerFormatter, registeredStorageNames } from "./formatter-registry.js";
import { fitsFormatter, fitsCatalogFormatter } from "./fits-formatters.js";
import { pickleFormatter, jsonFormatter, yamlFormatter, configFormatter } from "./text-formatters.js";

export type { FileMetadata, Formatter, FormatterContext } from "./formatter.js";
export { registerFormatter, formatterFor, registeredStorageNames } from "./formatter-registry.js";
export { fitsFormatter, fitsCatalogFormatter } from "./fits-formatters.js";
export { pickleFormatter, jsonFormatter, yamlFormatter, configFormatter } from "./text-formatters.js";

for (const f of [fitsFormatter, fitsCatalogFormatter, pickleFormatter, jsonFormatter, yamlFormatter, configFormatter]) {
  if (!registeredStorageNames().includes(f.storageName)) registerFormatter(f);
}
