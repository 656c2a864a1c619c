/**
 * Mappers: policies, templates, and the CameraMapper that turns a dataset type and data id into a location.
 * @packageDocumentation
 */
export type { Bypass, BypassContext, ButlerLocation, CompositeComponent, CompositeSpec, DatasetView } from "./butler-location.js";
export {
  CameraMapper,
  type BypassHook,
  type CameraMapperClass,
  type CameraMapperOptions,
  type MapHook,
  type QueryHook,
  type StdHook,
} from "./camera-mapper.js";
export type { IngestRules, Mapper, MapOptions } from "./mapper.js";
export { calibrationLookup, type CalibrationLookupOptions, type CalibrationRegistries } from "./calibration-lookup.js";
export { closeNames, levenshtein } from "./close-names.js";
export { compositeSpec, genericAssemble, genericDisassemble, type AssemblerMethod, type DisassemblerMethod } from "./composite.js";
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
  COMPOSITE_STORAGE,
  loadPolicy,
  mergePolicy,
  parsePolicy,
  POLICY_SECTIONS,
  SECTION_DEFAULTS,
  validatePolicy,
  type CompositePolicy,
  type DatasetPolicy,
  type MapperPolicy,
  type PolicySection,
} from "./policy.js";
export { loadPolicyOnce } from "./policy-cache.js";
export { pythonTypeFor, registerPythonType, unregisterPythonType, type PythonTypeConstructor } from "./python-types.js";
export { registryLookup, SKYMAP_KEYS } from "./registry-lookup.js";
export { fillTemplate, keyType, parseTemplate, type KeyType, type ParsedTemplate, type TemplateField } from "../template.js";
export { VARIANTS, parseVariant, variantNames, type MapperDataId, type VariantSpec } from "./variants.js";
