/**
 * Opens the repositories a Butler works with, in Gen2's order: outputs first (their recorded
 * parents come back as inputs when none are given), then each input followed by its parents
 * depth-first, without duplicates.
 *
 * @packageDocumentation
 */
import { ConfigError } from "../errors.js";
import { Repository, repositoryRoot, type RepositoryArgs } from "../repository/index.js";
import type { TempScope } from "../temp/index.js";

/** A repository given as a path/URI or as full arguments. */
export type RepositorySpec = string | RepositoryArgs;

/** The repositories of a Butler, opened. */
export interface RepositoryGraph {
  /** Where puts go. */
  outputs: Repository[];
  /** Where gets look, in order: readable outputs, then inputs each followed by its parents. */
  readOrder: Repository[];
  /** Every opened repository, for closing. */
  all: Repository[];
}

function normalize(spec: RepositorySpec | RepositorySpec[] | undefined, role: "input" | "output"): RepositoryArgs[] {
  const list = spec === undefined ? [] : Array.isArray(spec) ? spec : [spec];
  return list.map((s) => {
    const args: RepositoryArgs = typeof s === "string" ? { root: s } : { ...s };
    if (typeof args.root !== "string" || args.root === "") throw new ConfigError(`every ${role} needs a "root" path or URI`);
    if (role === "input") {
      if (args.mode === "w") throw new ConfigError(`input ${args.root} cannot have mode "w"; inputs are read-only`);
      args.mode = "r"; // an input given as "rw" is only read (as in Gen2)
    } else {
      if (args.mode === "r") throw new ConfigError(`output ${args.root} cannot have mode "r"; use "w" or "rw"`);
      args.mode ??= "w";
    }
    return args;
  });
}

/**
 * Opens inputs and outputs and wires parents, mappers and inherited registries.
 * @throws ConfigError for inconsistent arguments (see the messages)
 */
export async function openRepositoryGraph(
  inputsSpec: RepositorySpec | RepositorySpec[] | undefined,
  outputsSpec: RepositorySpec | RepositorySpec[] | undefined,
  tempScope: TempScope,
): Promise<RepositoryGraph> {
  let inputArgs = normalize(inputsSpec, "input");
  const outputArgs = normalize(outputsSpec, "output");
  if (inputArgs.length === 0 && outputArgs.length === 0) throw new ConfigError("a Butler needs at least one input or output");
  if (outputArgs.length > 1 && outputArgs.some((o) => o.mode === "rw")) {
    throw new ConfigError("only one output is allowed when an output is readable (mode rw)");
  }
  const all: Repository[] = [];
  try {
    const outputs: Repository[] = [];
    for (const args of outputArgs) {
      const repo = await Repository.open(args, { role: "output", tempScope });
      all.push(repo);
      outputs.push(repo);
    }
    if (inputArgs.length === 0) {
      const recorded = new Set(outputs.flatMap((o) => o.recordedCfg?.parents ?? []));
      inputArgs = [...recorded].map((root) => ({ root, mode: "r" as const }));
    }

    const seen = new Set(outputs.map((o) => o.root));
    const inputs: Repository[] = [];
    const topLevel: Repository[] = [];
    for (const args of inputArgs) {
      const tree = await openTree(args, seen, tempScope, all);
      if (tree.length > 0) topLevel.push(tree[0]!);
      inputs.push(...tree);
    }

    const inputMappers = new Set(topLevel.map((r) => r.cfg.mapper));
    const parentRoots = inputArgs.map((a) => repositoryRoot(a.root));
    for (const out of outputs) {
      const recorded = out.recordedCfg;
      if (recorded !== undefined) checkParents(out.root, recorded.parents, parentRoots);
      if (out.mapperName === undefined && inputMappers.size > 1) {
        throw new ConfigError(
          `the inputs use different mappers (${[...inputMappers].join(", ")}); name the mapper of output ${out.root}`,
        );
      }
      const defaultMapper = inputMappers.size === 1 ? [...inputMappers][0] : undefined;
      const mapperName = out.mapperName ?? defaultMapper;
      await out.initMapper({ defaultMapper, parents: parentRoots, ...inheritedRegistries(inputs, mapperName) });
      if (recorded !== undefined && parentRoots.length > recorded.parents.length) await out.recordParents(parentRoots);
    }
    return { outputs, readOrder: [...outputs.filter((o) => o.readable), ...inputs], all };
  } catch (err) {
    await Promise.allSettled(all.map((r) => r.close()));
    throw err;
  }
}

/**
 * An input and its parents depth-first; repositories already seen are skipped (a diamond is
 * fine), but a parent that is its own ancestor is a cycle: an error, not a silent cut.
 * @throws ConfigError for a cycle of parents
 */
async function openTree(args: RepositoryArgs, seen: Set<string>, tempScope: TempScope, all: Repository[], path: string[] = []): Promise<Repository[]> {
  const root = repositoryRoot(args.root);
  if (path.includes(root)) {
    throw new ConfigError(`the parents of ${path[path.length - 1]} form a cycle: ${[...path.slice(path.indexOf(root)), root].join(" → ")}; remove one of them from its repositoryCfg.yaml`);
  }
  if (seen.has(root)) return [];
  seen.add(root);
  const repo = await Repository.open(args, { role: "input", tempScope });
  all.push(repo);
  const below: Repository[] = [];
  for (const parent of repo.recordedCfg?.parents ?? []) {
    // tags are copied down to parents (Gen2)
    below.push(...(await openTree({ root: parent, mode: "r", tags: args.tags }, seen, tempScope, all, [...path, root])));
  }
  await repo.initMapper(inheritedRegistries(below, repo.mapperName));
  return [repo, ...below];
}

/** Gen2's registry inheritance: the nearest parent with the same mapper that has one. */
function inheritedRegistries(parents: Repository[], mapperName: string | undefined) {
  const sameMapper = parents.filter((r) => r.cfg.mapper === mapperName);
  return {
    parentRegistry: sameMapper.find((r) => r.registry !== undefined)?.registry,
    parentCalibRegistry: sameMapper.find((r) => r.calibRegistry !== undefined)?.calibRegistry,
  };
}

/** Inputs of a reopened output must equal its recorded parents or extend them (as in Gen2). */
function checkParents(root: string, recorded: string[], given: string[]): void {
  const prefixMatches = recorded.every((p, i) => given[i] === p);
  if (!prefixMatches || given.length < recorded.length) {
    throw new ConfigError(
      `output ${root} was created with parents [${recorded.join(", ")}] but the inputs are [${given.join(", ")}]; ` +
        `the inputs must equal the recorded parents or extend them (or use a new output)`,
    );
  }
}
