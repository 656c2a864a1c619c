/**
 * The mapper of "testcam", the small camera of the sample repository and the tests.
 * @packageDocumentation
 */
import { CameraMapper } from "../../src/mapper/camera-mapper.js";

/**
 * TestCam: one policy file (`policy.yaml` beside this module), no per-type hooks.
 *
 * ```ts
 * const mapper = await TestCamMapper.create({ registry, calibRegistry });
 * mapper.map("raw", { visit: 1, ccd: 3 }).locations;  // ["raw/v1_fg_c03.fits"]
 * ```
 */
export class TestCamMapper extends CameraMapper {
  /** Where the policy lives, next to this module. */
  static readonly policyUrl = new URL("./policy.yaml", import.meta.url);
  /** The registered name. */
  static readonly mapperName = "testcam";
}
