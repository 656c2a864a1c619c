/**
 * The mapper of "minicam", a small LSST-style camera (visit, raft, sensor): the second camera, whose
 * per-type hooks show how a camera customises reads without touching `src/`.
 * @packageDocumentation
 */
import type { DataId } from "../../src/data-id.js";
import { Exposure } from "../../src/image/masked-image.js";
import type { BypassContext } from "../../src/mapper/butler-location.js";
import { CameraMapper } from "../../src/mapper/camera-mapper.js";

/**
 * MiniCam: its policy (`policy.yaml` beside this module) plus two hooks.
 *
 * ```ts
 * const mapper = await MiniCamMapper.create({ registry });
 * mapper.map("raw", { visit: 1234567, raft: "22", sensor: "11" }).locations;
 * // ["raw/1234567/R22/raw_1234567_R22_S11.fits"]
 * await butler.get("raw_detectorName", { visit: 1234567, raft: "22", sensor: "11" });  // "R22_S11"
 * ```
 */
export class MiniCamMapper extends CameraMapper {
  /** Where the policy lives, next to this module. */
  static readonly policyUrl = new URL("./policy.yaml", import.meta.url);
  /** The registered name. */
  static readonly mapperName = "minicam";

  /**
   * Standardizes a raw read (Gen2 `std_raw`): minicam's raw files do not carry the filter, so
   * FILTER is set from the data id or, when the data id lacks it, from the registry's visit row;
   * DETNAME names the sensor. Other objects pass through.
   * @throws DataIdError / RegistryError when the filter lookup fails
   */
  async std_raw(item: unknown, dataId: Readonly<DataId>): Promise<unknown> {
    if (!(item instanceof Exposure)) return item;
    if (!item.metadata.has("FILTER")) {
      const filter = dataId.filter ?? (this.registry === undefined ? undefined : (await this.queryMetadata("raw", ["filter"], { visit: dataId.visit! }))[0]);
      if (filter !== undefined) item.metadata.set("FILTER", String(filter), "filter band (from the registry)");
    }
    item.metadata.set("DETNAME", detectorName(dataId), "raft and sensor");
    return item;
  }

  /**
   * `raw_detectorName`: the sensor's name from the data id alone, without reading the file (a
   * Gen2-style `bypass_` hook defining a type from the `raw` base).
   */
  bypass_raw_detectorName(ctx: BypassContext): string {
    return detectorName(ctx.location.dataId);
  }
}

function detectorName(dataId: Readonly<DataId>): string {
  return `R${String(dataId.raft)}_S${String(dataId.sensor)}`;
}
