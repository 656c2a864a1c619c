/**
 * The Butler conformance suite on local disk: the sample repository itself as the input, each
 * output in a fresh temp directory.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { forBackend } from "../support/backends.js";
import { describeButlerConformance, SAMPLE_REPO } from "../../src/testing/index.js";

forBackend("posix", () =>
  describeButlerConformance({
    name: "Posix",
    input: async () => ({ root: pathToFileURL(SAMPLE_REPO).href, cleanup: async () => undefined }),
    async output() {
      const sandbox = await mkdtemp(join(tmpdir(), "skybutler-butler-"));
      return { root: pathToFileURL(join(sandbox, "repo")).href, cleanup: () => rm(sandbox, { recursive: true, force: true }) };
    },
    records: true,
    relativeParents: true,
  }),
);
