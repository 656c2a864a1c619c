/**
 * pfstorage's message: `{"action": A, "meta": {...}}`, bare or wrapped as `{"payload": {...}}`
 * (pfurl's `--jsonwrapper payload`), as JSON or as a form body with bracketed keys
 * (`action=ls&meta[path]=chris`), whatever the Content-Type says.
 *
 * @packageDocumentation
 */
import { UsageError } from "../errors.js";

/** A parsed message. */
export interface PfMessage {
  action: string;
  meta: Record<string, unknown>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Parses a message from a request body or `--msg`.
 * @throws UsageError for a body that is neither JSON nor form data, or that has no `action`
 */
export function parseMessage(text: string): PfMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    if (!/^[^{[\s"][^=]*=/.test(text.trim())) {
      throw new UsageError(`the message is not valid JSON (${(err as Error).message}); send {"action": ..., "meta": {...}}`);
    }
    value = parseForm(text);
  }
  if (isObject(value) && "payload" in value) value = value.payload;
  if (!isObject(value)) throw new UsageError('the message must be a JSON object: {"action": ..., "meta": {...}}');
  if (typeof value.action !== "string" || value.action === "") {
    if (isObject(value.meta) && "ctl" in value.meta) return { action: "", meta: value.meta };
    throw new UsageError('the message has no "action"; e.g. {"action": "ls", "meta": {"path": ""}}');
  }
  if (value.meta !== undefined && !isObject(value.meta)) throw new UsageError('"meta" must be a JSON object');
  return { action: value.action, meta: (value.meta as Record<string, unknown> | undefined) ?? {} };
}

/** `a=1&meta[path]=x&meta[retSpec][]=name` → nested objects (pfstorage's form flattening). */
function parseForm(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of new URLSearchParams(text)) {
    const path = name.replace(/\]/g, "").split("[");
    let node = out;
    path.forEach((part, i) => {
      const last = i === path.length - 1;
      if (last) {
        if (part === "") return;
        node[part] = value;
      } else if (path[i + 1] === "" && i + 1 === path.length - 1) {
        // `key[]=v`: a list
        const list = Array.isArray(node[part]) ? (node[part] as unknown[]) : [];
        list.push(value);
        node[part] = list;
      } else {
        if (!isObject(node[part])) node[part] = {};
        node = node[part] as Record<string, unknown>;
      }
    });
  }
  return out;
}
