/**
 * Composite datasets (Gen2 `ButlerComposite` + `genericAssembler.py`): a dataset type assembled
 * from other dataset types on get and taken apart into them on put.
 *
 * @packageDocumentation
 */
import { FormatterError, PolicyError } from "../errors.js";
import type { CompositeComponent, CompositeSpec } from "./butler-location.js";
import type { CompositePolicy, DatasetPolicy } from "./policy.js";
import { pythonTypeFor } from "./python-types.js";

/** A mapper method named by a policy's `assembler`. */
export type AssemblerMethod = (components: Record<string, unknown>, dataId: Readonly<Record<string, unknown>>) => unknown;
/** A mapper method named by a policy's `disassembler`. */
export type DisassemblerMethod = (obj: unknown, dataId: Readonly<Record<string, unknown>>) => Record<string, unknown>;

/**
 * The {@link CompositeSpec} of a composite dataset type. An `assembler`/`disassembler` named in the
 * policy is a method of the mapper (`assembler: assembleRawAndFlat` → `mapper.assembleRawAndFlat`);
 * without one the generic assembler/disassembler is used.
 * @throws PolicyError when a named assembler or disassembler is not a method of the mapper
 */
export function compositeSpec(mapper: object, dataset: DatasetPolicy, composite: CompositePolicy): CompositeSpec {
  const components = structuredClone(composite.components);
  const assembler = composite.assembler === undefined ? undefined : method<AssemblerMethod>(mapper, composite.assembler, dataset, "assembler");
  const disassembler =
    composite.disassembler === undefined ? undefined : method<DisassemblerMethod>(mapper, composite.disassembler, dataset, "disassembler");
  return {
    components,
    assemble: (parts, dataId) => (assembler ? assembler.call(mapper, parts, dataId) : genericAssemble(dataset, components, parts)),
    disassemble: (obj, dataId) => {
      const parts = disassembler ? disassembler.call(mapper, obj, dataId) : genericDisassemble(dataset, components, obj);
      if (parts === null || typeof parts !== "object") {
        throw new FormatterError(`the disassembler of composite "${dataset.name}" returned ${typeof parts}, not an object of components`);
      }
      return parts;
    },
  };
}

/**
 * Checks, when a mapper is made, that the methods a composite names exist.
 * @throws PolicyError naming the missing method
 */
export function checkCompositeMethods(mapper: object, dataset: DatasetPolicy, composite: CompositePolicy): void {
  if (composite.assembler !== undefined) method(mapper, composite.assembler, dataset, "assembler");
  if (composite.disassembler !== undefined) method(mapper, composite.disassembler, dataset, "disassembler");
}

function method<T>(mapper: object, name: string, dataset: DatasetPolicy, role: string): T {
  const fn = (mapper as Record<string, unknown>)[name];
  if (typeof fn !== "function") {
    throw new PolicyError(`composite "${dataset.name}" names ${role} "${name}", but mapper ${mapper.constructor.name} has no method of that name`);
  }
  return fn as T;
}

/**
 * Gen2's generic assembler: a new instance of the class registered for the policy's `python`
 * (a plain object when none is), then each component set through the policy's `setter`, else
 * `set<Name>()`, else `set_<name>()`, else the property `<name>`. A missing component is left unset.
 * @throws PolicyError when a setter named in the policy is not a method of the object
 */
export function genericAssemble(dataset: DatasetPolicy, components: Readonly<Record<string, CompositeComponent>>, parts: Readonly<Record<string, unknown>>): unknown {
  const ctor = pythonTypeFor(dataset.python);
  const obj = (ctor === undefined ? {} : new ctor()) as Record<string, unknown>;
  for (const [name, component] of Object.entries(components)) {
    if (!Object.hasOwn(parts, name)) continue;
    const setter = accessor(obj, component.setter, [`set${capitalize(name)}`, `set_${name}`], dataset, "setter");
    if (setter !== undefined) setter.call(obj, parts[name]);
    else obj[name] = parts[name];
  }
  return obj;
}

/**
 * Gen2's generic disassembler: each component read through the policy's `getter`, else
 * `get<Name>()`, else `get_<name>()`, else the property `<name>`. An `inputOnly` component the
 * object lacks is left out (put never writes it).
 * @throws FormatterError when the object is not an object, or lacks a component that put writes
 * @throws PolicyError when a getter named in the policy is not a method of the object
 */
export function genericDisassemble(dataset: DatasetPolicy, components: Readonly<Record<string, CompositeComponent>>, obj: unknown): Record<string, unknown> {
  if (obj === null || typeof obj !== "object") throw new FormatterError(`composite "${dataset.name}" is put from an object, not ${obj === null ? "null" : typeof obj}`);
  const source = obj as Record<string, unknown>;
  const parts: Record<string, unknown> = {};
  for (const [name, component] of Object.entries(components)) {
    const getter = accessor(source, component.getter, [`get${capitalize(name)}`, `get_${name}`], dataset, "getter");
    const value = getter !== undefined ? getter.call(source) : source[name];
    if (value === undefined) {
      if (component.inputOnly) continue;
      throw new FormatterError(`cannot put composite "${dataset.name}": the object has no "${name}" component (dataset type "${component.datasetType}")`);
    }
    parts[name] = value;
  }
  return parts;
}

function accessor(obj: Record<string, unknown>, named: string | undefined, fallbacks: string[], dataset: DatasetPolicy, role: string): ((...args: unknown[]) => unknown) | undefined {
  if (named !== undefined) {
    if (typeof obj[named] !== "function") throw new PolicyError(`composite "${dataset.name}": ${role} "${named}" is not a method of ${obj.constructor?.name ?? "the object"}`);
    return obj[named] as (...args: unknown[]) => unknown;
  }
  const found = fallbacks.find((name) => typeof obj[name] === "function");
  return found === undefined ? undefined : (obj[found] as (...args: unknown[]) => unknown);
}

function capitalize(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}
