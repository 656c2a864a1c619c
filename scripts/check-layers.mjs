#!/usr/bin/env node
// The layer check of `npm test` (README "Layers"): every import between packages (a folder of src/,
// or registry/, or mappers/) must be one that the table below allows — the table is DESIGN.md's
// layer table written as data — and the package graph must have no cycle. Type-only imports count:
// a layer that names another's types depends on it. Imports are found by dependency-cruiser.
import { cruise } from "dependency-cruiser";

/** Package → the packages it may import. Leaf modules at src/ (errors, data-id, template) are open to all. */
const ALLOWED = {
  // the conformance suites and the internals tests reach (skybutler/testing): every layer
  "src/testing": ["src/storlets", "src/butler", "src/repository", "src/mapper", "src/formatters", "src/storage", "src/fits", "src/image", "src/temp", "src/render", "src/server", "registry", "mappers"],
  "src/cli": ["src/storlets", "src/butler", "src/repository", "src/mapper", "src/storage", "src/server", "src/pfstorage", "src/transfer", "src/render", "src/formatters", "src/fits", "src/image", "src/temp", "registry"],
  "src/server": ["src/storlets", "src/butler", "src/repository", "src/mapper", "src/storage", "src/pfstorage", "src/transfer", "src/render", "src/formatters", "src/fits", "src/image", "src/temp", "registry"],
  "src/pfstorage": ["src/storage", "src/transfer", "src/temp"],
  "src/transfer": ["src/storage", "src/temp"],
  "src/butler": ["src/repository", "src/mapper", "src/temp"],
  "src/repository": ["src/storlets", "src/mapper", "src/formatters", "src/storage", "src/temp", "registry", "mappers"],
  "mappers": ["src/mapper", "src/image"],
  "src/mapper": ["registry", "src/image"],
  "registry": ["src/storage", "src/temp"],
  // storlets run next to the data: the contract, the sandbox, the shipped storlets (FITS, previews)
  "src/storlets": ["src/render", "src/fits", "src/image", "src/storage", "src/temp"],
  "src/render": ["src/formatters", "src/fits", "src/image", "src/storage", "src/temp"],
  "src/formatters": ["src/mapper", "src/storage", "src/fits", "src/image", "src/temp"],
  "src/storage": ["src/temp"],
  "src/fits": ["src/image"],
  "src/image": [],
  "src/temp": [],
};

const packageOf = (path) => {
  const m = /^(src\/[^/]+)\/|^(registry|mappers)\//.exec(path);
  return m ? (m[1] ?? m[2]) : undefined;
};

const result = await cruise(["src", "registry", "mappers"], {
  tsConfig: { fileName: "tsconfig.json" },
  tsPreCompilationDeps: true,
  doNotFollow: { path: "node_modules" },
  exclude: { path: "node_modules" },
});
const modules = result.output.modules;
const edges = new Map(); // package → Map(package → an example import)
const problems = [];
for (const module of modules) {
  const from = packageOf(module.source);
  if (from === undefined) continue;
  if (!(from in ALLOWED)) problems.push(`${from} is not in the layer table of scripts/check-layers.mjs (${module.source})`);
  for (const dep of module.dependencies) {
    const to = packageOf(dep.resolved);
    if (to === undefined || to === from) continue;
    if (!edges.has(from)) edges.set(from, new Map());
    if (!edges.get(from).has(to)) edges.get(from).set(to, `${module.source} → ${dep.resolved}`);
    if (!(ALLOWED[from] ?? []).includes(to)) problems.push(`${from} may not import ${to}: ${module.source} → ${dep.resolved}`);
  }
}

// A cycle between packages, found by depth-first search over the edges actually present.
const state = new Map();
const stack = [];
function visit(node) {
  state.set(node, "open");
  stack.push(node);
  for (const next of edges.get(node)?.keys() ?? []) {
    if (state.get(next) === "open") {
      const cycle = [...stack.slice(stack.indexOf(next)), next];
      problems.push(`package cycle: ${cycle.join(" → ")} (e.g. ${edges.get(node).get(next)})`);
    } else if (!state.has(next)) visit(next);
  }
  stack.pop();
  state.set(node, "done");
}
for (const node of edges.keys()) if (!state.has(node)) visit(node);

if (problems.length > 0) {
  console.error(`layer check: ${problems.length} problem(s)\n  ${[...new Set(problems)].join("\n  ")}`);
  process.exit(1);
}
const count = [...edges.values()].reduce((n, m) => n + m.size, 0);
console.log(`layer check: ${modules.length} modules, ${edges.size} packages, ${count} package imports, all allowed, no cycle`);
