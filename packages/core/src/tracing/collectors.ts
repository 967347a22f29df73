import type { AttributeValue, Attributes } from "@opentelemetry/api";
import { logger } from "../internal/logger";
import { messageOf } from "../errors/error-message";
import type { SpanKind } from "./attributes";

/**
 * What a collector sees of one traced call.
 *
 * @example
 * ```ts
 * import type { CollectorCall } from "@llmops/core";
 * const slow = (call: CollectorCall) => ({ "app.slow": call.durationMillis > 1_000 });
 * ```
 */
export interface CollectorCall {
  /** The span's name. */
  readonly name: string;
  /** The span's kind. */
  readonly kind: SpanKind;
  /** The arguments the function was called with. */
  readonly args: readonly unknown[];
  /** What the function returned: the settled value of a promise, the items of a stream or async iterable (capped). */
  readonly result?: unknown;
  /** What the function threw (or its promise or stream rejected with), if anything. */
  readonly error?: unknown;
  /** How long the call took, up to the end of its span (a stream's last item), in milliseconds. */
  readonly durationMillis: number;
}

/**
 * A collector: turns a finished call into span attributes (strings, numbers, booleans or arrays of one of them).
 * It runs as the span ends; what it throws is contained, counted and warned about once.
 *
 * @example
 * ```ts
 * import type { Collector } from "@llmops/core";
 * const argumentCount: Collector = (call) => ({ "app.argument_count": call.args.length });
 * ```
 */
export type Collector = (call: CollectorCall) => Attributes | undefined | void;

/**
 * A collector given to `trace()`: a function, or the name it was registered under with {@link registerCollector}.
 *
 * @example
 * ```ts
 * import { trace } from "@llmops/core";
 * import type { CollectorReference } from "@llmops/core";
 * const collectors: CollectorReference[] = ["text", (call) => ({ "app.arguments": call.args.length })];
 * const shout = trace((text: string) => text.toUpperCase(), { name: "shout", collectors });
 * ```
 */
export type CollectorReference = Collector | string;

/**
 * The attribute prefix of the built-in text collector: `llmops.text.characters`, `llmops.text.words`, `llmops.text.lines`.
 *
 * @example
 * ```ts
 * import { TEXT_ATTRIBUTE_PREFIX } from "@llmops/core";
 * console.log(`${TEXT_ATTRIBUTE_PREFIX}words`); // llmops.text.words
 * ```
 */
export const TEXT_ATTRIBUTE_PREFIX = "llmops.text.";

interface CollectorState {
  readonly registry: Map<string, Collector>;
  readonly failures: Map<string, number>;
  readonly warned: Set<string>;
}

const KEY = Symbol.for("llmops.core.collectors.v1");

/** The registry and the failure counts, shared by every copy of core in the process. */
function collectorState(): CollectorState {
  const holder = globalThis as { [KEY]?: CollectorState };
  holder[KEY] ??= { registry: new Map([["text", textCollector]]), failures: new Map(), warned: new Set() };
  return holder[KEY];
}

/**
 * The built-in text collector, registered as `"text"`: the characters, words and lines of a call's output, as numbers
 * under `llmops.text.` (`llmops.text.characters`, `llmops.text.words`, `llmops.text.lines`). The output is the string
 * the function returned, or the string items of a stream or async iterable joined; other results give no attributes.
 *
 * @example
 * ```ts
 * import { textCollector, trace } from "@llmops/core";
 * const answer = trace(async (question: string) => `You asked: ${question}`, { kind: "llm", collectors: [textCollector] });
 * ```
 */
export const textCollector: Collector = (call) => {
  const text = outputText(call.result);
  if (text === undefined) return undefined;
  const words = text.trim() === "" ? 0 : text.trim().split(/\s+/u).length;
  const lines = text === "" ? 0 : text.split(/\r\n|\r|\n/u).length;
  return { [`${TEXT_ATTRIBUTE_PREFIX}characters`]: [...text].length, [`${TEXT_ATTRIBUTE_PREFIX}words`]: words, [`${TEXT_ATTRIBUTE_PREFIX}lines`]: lines };
};

function outputText(result: unknown): string | undefined {
  if (typeof result === "string") return result;
  if (Array.isArray(result) && result.length > 0 && result.every((item) => typeof item === "string")) return result.join("");
  return undefined;
}

/**
 * Registers a collector under a name, so that `trace(fn, { collectors: ["name"] })` uses it. Registering a name again
 * replaces the collector. Shared by every copy of core in the process.
 *
 * @param name - the name `trace()` options refer to
 * @param collector - the function from a finished call to attributes
 *
 * @example
 * ```ts
 * import { registerCollector, trace } from "@llmops/core";
 * registerCollector("argument-count", (call) => ({ "app.argument_count": call.args.length }));
 * const add = trace((a: number, b: number) => a + b, { collectors: ["argument-count"] });
 * ```
 */
export function registerCollector(name: string, collector: Collector): void {
  if (typeof name !== "string" || typeof collector !== "function") {
    logger.warn(`registerCollector(name, collector) takes a string and a function; the collector ${JSON.stringify(String(name))} is not registered.`);
    return;
  }
  collectorState().registry.set(name, collector);
}

/**
 * How many calls each collector failed on so far (it threw, or returned something that is not attributes), by name:
 * the registered name, or the function's name for a collector given directly (`"anonymous"` without one).
 *
 * @example
 * ```ts
 * import { collectorFailures } from "@llmops/core";
 * console.log(collectorFailures()); // e.g. { "argument-count": 0 } or {}
 * ```
 */
export function collectorFailures(): Record<string, number> {
  return Object.fromEntries(collectorState().failures);
}

/** The collectors of a `trace()` call, resolved once when the function is wrapped: unknown names are warned about. */
export function resolveCollectors(references: unknown): ReadonlyArray<{ readonly name: string; readonly collect: Collector }> {
  if (references === undefined) return [];
  if (!Array.isArray(references)) {
    logger.warn("trace(): `collectors` is a list of collector functions or registered names; it is ignored.");
    return [];
  }
  const resolved: Array<{ name: string; collect: Collector }> = [];
  for (const reference of references as unknown[]) {
    if (typeof reference === "function") resolved.push({ name: reference.name || "anonymous", collect: reference as Collector });
    else if (typeof reference === "string") {
      // Looked up at each call: a collector registered after trace() wrapped the function is still found.
      resolved.push({ name: reference, collect: (call) => lookup(reference)?.(call) });
    } else logger.warn(`trace(): a collector is a function or a registered name, not ${typeof reference}; it is ignored.`);
  }
  return resolved;
}

function lookup(name: string): Collector | undefined {
  const collector = collectorState().registry.get(name);
  if (collector === undefined) failed(name, new Error(`no collector is registered as ${JSON.stringify(name)}`));
  return collector;
}

/**
 * Runs every collector of a call and returns the attributes they gave. One collector that throws or returns something
 * else than attributes loses only its own attributes: it is counted in {@link collectorFailures} and warned about
 * once, and the span ends as it would have.
 */
export function runCollectors(collectors: ReadonlyArray<{ readonly name: string; readonly collect: Collector }>, call: CollectorCall): Attributes {
  const attributes: Attributes = {};
  for (const { name, collect } of collectors) {
    let returned: unknown;
    try {
      returned = collect(call);
    } catch (error) {
      failed(name, error);
      continue;
    }
    if (returned === undefined || returned === null) continue;
    if (typeof returned !== "object" || Array.isArray(returned)) {
      failed(name, new Error(`it returned ${Array.isArray(returned) ? "an array" : typeof returned}, not an object of attributes`));
      continue;
    }
    try {
      for (const [key, value] of Object.entries(returned)) if (isAttributeValue(value)) attributes[key] = value;
    } catch (error) {
      failed(name, error);
    }
  }
  return attributes;
}

function isAttributeValue(value: unknown): value is AttributeValue {
  const primitive = (item: unknown): boolean => typeof item === "string" || typeof item === "boolean" || (typeof item === "number" && !Number.isNaN(item));
  return primitive(value) || (Array.isArray(value) && value.every((item) => item === null || item === undefined || primitive(item)));
}

function failed(name: string, error: unknown): void {
  const state = collectorState();
  state.failures.set(name, (state.failures.get(name) ?? 0) + 1);
  if (state.warned.has(name)) return;
  state.warned.add(name);
  logger.warn(`llmops collector "${name}" failed (${messageOf(error)}); its attributes are left out, the call and its span go on. Further failures are counted in collectorFailures(), not logged.`);
}
