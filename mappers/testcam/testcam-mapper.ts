/**
 * The mapper of "testcam", the small camera of the sample repository and the tests.
 * @packageDocumentation
 */
import { CameraMapper } from "../../src/mapper/camera-mapper.js";
import type { MapperCreateOptions } from "../../src/mapper/mapper-registry.js";
import { loadPolicy, mergePolicy, type MapperPolicy } from "../../src/mapper/policy.js";

/**
 * TestCam: one policy file (`policy.yaml` beside this module), no per-type hooks.
 *
 * ```ts
 * const mapper = await TestCamMapper.create({ registry });
 * mapper.map("raw", { visit: 1, ccd: 3 }).locations;  // ["raw/v1_fg_c03.fits"]
 * ```
 */
export class TestCamMapper extends CameraMapper {
  /** Where the policy lives, next to this module. */
  static readonly policyUrl = new URL("./policy.yaml", import.meta.url);
  static #policy: Promise<MapperPolicy> | undefined;

  /**
   * Loads the policy (once per process) and makes a mapper.
   * @throws PolicyError when the policy file or the override is invalid
   */
  static async create(options: MapperCreateOptions = {}): Promise<TestCamMapper> {
    // A failed load is not cached, so a fixed file can be retried.
    TestCamMapper.#policy ??= loadPolicy(TestCamMapper.policyUrl).catch((err: unknown) => {
      TestCamMapper.#policy = undefined;
      throw err;
    });
    const base = await TestCamMapper.#policy;
    const policy = options.policyOverride === undefined ? base : mergePolicy(base, options.policyOverride, "repository policy");
    return new TestCamMapper({ policy, registry: options.registry, calibRegistry: options.calibRegistry, name: "testcam" });
  }
}
