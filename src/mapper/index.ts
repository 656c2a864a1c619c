/**
 * Mappers: policies, templates, and the CameraMapper that turns a dataset type and data id into a location.
 * @packageDocumentation
 */
export type { ButlerLocation } from "./butler-location.js";
export { CameraMapper, type CameraMapperOptions, type MapHook, type MapOptions, type QueryHook } from "./camera-mapper.js";
export { closeNames, levenshtein } from "./close-names.js";
export {
  isMapperRegistered,
  loadMapper,
  registerMapper,
  registeredMappers,
  unregisterMapper,
  type MapperClass,
  type MapperCreateOptions,
  type MapperLoader,
} from "./mapper-registry.js";
export { normalizeDataId } from "./normalize-data-id.js";
export {
  loadPolicy,
  mergePolicy,
  parsePolicy,
  POLICY_SECTIONS,
  SECTION_DEFAULTS,
  validatePolicy,
  type DatasetPolicy,
  type MapperPolicy,
  type PolicySection,
} from "./policy.js";
export { registryLookup, SKYMAP_KEYS } from "./registry-lookup.js";
export { fillTemplate, keyType, parseTemplate, type KeyType, type ParsedTemplate, type TemplateField } from "./template.js";
