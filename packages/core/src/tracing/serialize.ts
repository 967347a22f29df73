import { JSON_MIME_TYPE, TEXT_MIME_TYPE } from "./attributes";

/**
 * How many characters of an input or output a span keeps: a longer value is cut there and ends with
 * {@link TRUNCATED_MARK}. Exporters and backends limit attribute sizes too; this keeps a large payload (a document, a
 * base64 image) from costing memory and bandwidth on every call.
 *
 * @example
 * ```ts
 * import { MAX_VALUE_LENGTH } from "@llmops/core";
 * console.log(`input.value and output.value keep at most ${MAX_VALUE_LENGTH} characters`);
 * ```
 */
export const MAX_VALUE_LENGTH = 32_768;
/** What ends a value cut at {@link MAX_VALUE_LENGTH}. */
export const TRUNCATED_MARK = "…[truncated]";
/** How deep into nested objects serialisation goes; deeper values show as `"[Object]"` or `"[Array]"`. */
const MAX_DEPTH = 16;
/** How many values serialisation visits at most, so that a huge object costs a bounded amount of work. */
const MAX_NODES = 5_000;

/** A value ready for `input.value`/`output.value`. */
export interface SerializedValue {
  readonly value: string;
  readonly mimeType: string;
}

/**
 * Turns anything a traced function takes or returns into a string for a span: a string stays text (`text/plain`),
 * anything else becomes JSON (`application/json`) in which cycles show as `"[Circular]"`, a BigInt as its decimal
 * digits, functions and symbols by name, errors by name and message, Maps and Sets as objects and arrays. Never
 * throws: a getter that throws or a proxy that refuses is shown as `"[Unserializable]"`.
 */
export function serializeValue(value: unknown, maxLength: number = MAX_VALUE_LENGTH): SerializedValue {
  if (typeof value === "string") return { value: cut(value, maxLength), mimeType: TEXT_MIME_TYPE };
  let text: string;
  try {
    text = JSON.stringify(toJsonSafe(value, { nodes: 0, seen: new Set() }, 0)) ?? "null";
  } catch {
    text = JSON.stringify("[Unserializable]");
  }
  return { value: cut(text, maxLength), mimeType: JSON_MIME_TYPE };
}

function cut(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  return text.slice(0, Math.max(0, maxLength - TRUNCATED_MARK.length)) + TRUNCATED_MARK;
}

interface Walk {
  nodes: number;
  readonly seen: Set<object>;
}

function toJsonSafe(value: unknown, walk: Walk, depth: number): unknown {
  walk.nodes += 1;
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      return Number.isFinite(value) ? value : String(value);
    case "bigint":
      return value.toString();
    case "undefined":
      return null;
    case "symbol":
      return value.toString();
    case "function":
      return `[Function ${value.name || "anonymous"}]`;
  }
  if (value === null) return null;
  const object = value as object;
  if (walk.seen.has(object)) return "[Circular]";
  if (depth >= MAX_DEPTH || walk.nodes > MAX_NODES) return Array.isArray(object) ? "[Array]" : "[Object]";
  walk.seen.add(object);
  try {
    return describeObject(object, walk, depth);
  } catch {
    return "[Unserializable]";
  } finally {
    // Only the current path counts as a cycle: the same object twice side by side is shown twice.
    walk.seen.delete(object);
  }
}

function describeObject(object: object, walk: Walk, depth: number): unknown {
  if (object instanceof Error) return { name: object.name, message: object.message };
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? "Invalid Date" : object.toISOString();
  if (ArrayBuffer.isView(object)) return `[${object.constructor.name} ${object.byteLength} bytes]`;
  if (object instanceof ArrayBuffer) return `[ArrayBuffer ${object.byteLength} bytes]`;
  if (object instanceof Map) {
    const entries: Record<string, unknown> = {};
    for (const [key, entry] of object) {
      if (walk.nodes > MAX_NODES) break;
      entries[typeof key === "string" ? key : String(toJsonSafe(key, walk, depth + 1))] = toJsonSafe(entry, walk, depth + 1);
    }
    return entries;
  }
  if (object instanceof Set) return Array.from(object, (entry) => toJsonSafe(entry, walk, depth + 1));
  if (Array.isArray(object)) {
    const items: unknown[] = [];
    for (const item of object) {
      if (walk.nodes > MAX_NODES) {
        items.push("[…]");
        break;
      }
      items.push(toJsonSafe(item, walk, depth + 1));
    }
    return items;
  }
  const toJSON = (object as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function") return toJsonSafe(toJSON.call(object), walk, depth + 1);
  const entries: Record<string, unknown> = {};
  for (const key of Object.keys(object)) {
    if (walk.nodes > MAX_NODES) break;
    entries[key] = toJsonSafe((object as Record<string, unknown>)[key], walk, depth + 1);
  }
  return entries;
}
