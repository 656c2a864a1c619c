/**
 * The policy-driven half of mapping (Gen2 `Mapping.map`): one policy entry and a data id become a
 * {@link ButlerLocation}, completing the template's keys from the registries.
 *
 * @packageDocumentation
 */
import { PolicyError } from "../errors.js";
import type { ButlerLocation } from "./butler-location.js";
import { compositeSpec } from "./composite.js";
import { normalizationKeys } from "./dataset-keys.js";
import { lookupMissing, type NeedContext } from "./need.js";
import { normalizeDataId } from "./normalize-data-id.js";
import { COMPOSITE_STORAGE, type DatasetPolicy } from "./policy.js";
import { fillTemplate, parseTemplate } from "../template.js";
import type { MapperDataId } from "./variants.js";

/**
 * The location of a policy entry. A composite has no file: its location carries the
 * {@link CompositeSpec} instead, with the data id as given (each component is mapped on its own).
 * @param mapper - the mapper whose methods a composite's `assembler`/`disassembler` name
 * @throws PolicyError for a type with no template, or a composite naming a missing method
 * @throws DataIdError as {@link lookupMissing} and {@link normalizeDataId}
 */
export async function datasetLocation(mapper: object, dataset: DatasetPolicy, dataId: MapperDataId, ctx: NeedContext): Promise<ButlerLocation> {
  if (dataset.composite !== undefined) {
    const id = normalizeDataId(dataId, {});
    return {
      datasetType: dataset.name,
      storageName: COMPOSITE_STORAGE,
      pythonType: dataset.python,
      locations: [],
      dataId: id,
      additionalData: { ...id },
      composite: compositeSpec(mapper, dataset, dataset.composite),
    };
  }
  if (dataset.template === undefined) {
    throw new PolicyError(`dataset type "${dataset.name}" (storage ${dataset.storage}) has no template and cannot be mapped to a file`);
  }
  const id = normalizeDataId(dataId, normalizationKeys(dataset, ctx));
  const missing = [...parseTemplate(dataset.template).keys.keys()].filter((k) => id[k] === undefined);
  if (missing.length > 0) Object.assign(id, await lookupMissing(dataset, missing, id, ctx));
  return {
    datasetType: dataset.name,
    storageName: dataset.storage,
    pythonType: dataset.python,
    locations: [fillTemplate(dataset.template, id)],
    dataId: id,
    additionalData: { ...id },
  };
}
