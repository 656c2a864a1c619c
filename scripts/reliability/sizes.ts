/** How much each section does: the bounded form (`npm test`, default) and `--long` (the sizes). */
export interface Sizes {
  name: "bounded" | "long";
  /** Swift: datasets put and read back through the fault proxy; proxy restarts mid-upload. */
  swiftDatasets: number;
  proxyRestarts: number;
  /** Crashes: puts attempted per output (local, Swift) by writers killed with SIGKILL. */
  crashPuts: number;
  /** Concurrency: writer processes × puts each. */
  writers: number;
  putsPerWriter: number;
  /** Fuzzing: runs per property. */
  fuzzRuns: number;
  /** Resources: mixed Butler operations with injected failures. */
  resourceOps: number;
}

/** Minutes at most on a loaded 2-core machine; what `npm test` runs. */
export const BOUNDED: Sizes = { name: "bounded", swiftDatasets: 30, proxyRestarts: 3, crashPuts: 100, writers: 4, putsPerWriter: 50, fuzzRuns: 300, resourceOps: 1000 };

/** The sizes of issue 15. */
export const LONG: Sizes = { name: "long", swiftDatasets: 300, proxyRestarts: 20, crashPuts: 1000, writers: 8, putsPerWriter: 500, fuzzRuns: 5000, resourceOps: 10000 };
