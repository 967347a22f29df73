import type { Attributes } from "@opentelemetry/api";
import { logger, warnOnce } from "../internal/logger";
import { messageOf } from "../errors/error-message";
import type { SpanKind } from "./attributes";
import { activeTracer } from "./active-tracer";
import { resolveCollectors } from "./collectors";
import type { CollectorReference } from "./collectors";
import { SpanRecorder } from "./span-recorder";
import type { RecordingOptions } from "./span-recorder";

/**
 * How `trace()`, `withSpan()` and the `traced` decorator record a call.
 *
 * @example
 * ```ts
 * import { trace } from "@llmops/core";
 * import type { TraceOptions } from "@llmops/core";
 * const options: TraceOptions = { name: "lookup", kind: "retriever", captureOutput: false, collectors: ["text"] };
 * const lookup = trace(async (query: string) => [query], options);
 * ```
 */
export interface TraceOptions {
  /** The span's name; by default the function's name (`"anonymous"` without one). */
  readonly name?: string;
  /** The OpenInference span kind; `chain` by default. */
  readonly kind?: SpanKind;
  /** Record the arguments as `input.value` (default true). */
  readonly captureInput?: boolean;
  /** Record the result as `output.value` (default true). */
  readonly captureOutput?: boolean;
  /** Attributes set on the span as it starts. */
  readonly attributes?: Attributes;
  /** Collectors run as the span ends: functions, or names given to `registerCollector()` (`"text"` is built in). */
  readonly collectors?: readonly CollectorReference[];
}

/** Options read once, whatever a JavaScript caller passed: a wrong option is warned about and left out. */
export function recordingOptions(options: unknown, fallbackName: string): RecordingOptions {
  const given = (typeof options === "object" && options !== null ? options : {}) as Partial<Record<keyof TraceOptions, unknown>>;
  if (options !== undefined && given !== options) warnOnce("trace-options", "trace(): options must be an object; they are ignored.");
  const name = typeof given.name === "string" && given.name !== "" ? given.name : fallbackName || "anonymous";
  const kind = typeof given.kind === "string" ? (given.kind as SpanKind) : "chain";
  const attributes = typeof given.attributes === "object" && given.attributes !== null ? (given.attributes as Attributes) : undefined;
  return { name, kind, captureInput: given.captureInput !== false, captureOutput: given.captureOutput !== false, attributes, collectors: resolveCollectors(given.collectors) };
}

/**
 * Calls `invoke` as a traced call: with a span when tracing is on, as it is otherwise. The function's own result and
 * errors reach the caller unchanged; llmops's own failures never do.
 */
export function tracedCall(options: RecordingOptions, args: readonly unknown[], invoke: () => unknown): unknown {
  const active = activeTracer();
  if (active === undefined) return invoke();
  let recorder: SpanRecorder;
  try {
    recorder = new SpanRecorder(active, options, args);
  } catch (error) {
    warnOnce("trace-start", `llmops could not start a span for "${options.name}" (${messageOf(error)}); the call runs untraced.`);
    return invoke();
  }
  let result: unknown;
  try {
    result = recorder.run(invoke);
  } catch (error) {
    recorder.fail(error);
    throw error;
  }
  return recorder.settle(result);
}

/**
 * Wraps a function so that every call records one span: its name, its OpenInference span kind, the arguments as
 * `input.value` and the result as `output.value` (strings as `text/plain`, anything else as JSON, capped at 32 768
 * characters), and an error as an exception event with status ERROR. The wrapper behaves exactly like `fn`: same
 * result, same `this`, same `length` and `name`, the same error object thrown. A promise is awaited (the caller gets a
 * promise of the same value); an async iterable, async generator, web `ReadableStream` or Node `Readable` is recorded as
 * it is consumed, and the span ends when the consumer finishes, breaks off or meets an error. The span is the active
 * one while `fn` runs (and during each step of an async generator), so spans started inside it are its children.
 *
 * When tracing is not started, or was shut down, the wrapper calls `fn` and nothing else.
 *
 * @param fn - the function to trace
 * @param options - name, kind, capture switches, attributes, collectors
 * @returns a function that behaves exactly like `fn`
 *
 * @example
 * ```ts
 * import { trace } from "@llmops/core";
 * const searchDocs = trace(async (query: string) => [`doc about ${query}`], { kind: "retriever" });
 * const answer = trace(async (question: string) => {
 *   const docs = await searchDocs(question);
 *   return `Based on ${docs.length} document(s): ...`;
 * }, { name: "answer", kind: "agent" });
 * console.log(await answer("llmops"));
 * ```
 */
export function trace<F extends (...args: never[]) => unknown>(fn: F, options?: TraceOptions): F {
  if (typeof fn !== "function") {
    // Handing it back keeps the app's behaviour: calling it fails exactly as it would have without trace().
    warnOnce("trace-not-function", `trace() takes a function, not ${fn === null ? "null" : typeof fn}; it is returned as it was.`);
    return fn;
  }
  let recording: RecordingOptions;
  try {
    recording = recordingOptions(options, fn.name);
  } catch (error) {
    logger.warn(`trace(): the options could not be read (${messageOf(error)}); the function is traced with the defaults.`);
    recording = recordingOptions(undefined, fn.name);
  }
  const traced = function (this: unknown, ...args: unknown[]): unknown {
    // `new.target` keeps a traced constructor a constructor.
    const target = new.target as unknown as (new (...rest: unknown[]) => unknown) | undefined;
    return tracedCall(recording, args, target === undefined ? () => (fn as unknown as (...rest: unknown[]) => unknown).apply(this, args) : () => Reflect.construct(fn, args, target));
  };
  copyShape(traced, fn);
  return traced as unknown as F;
}

/** Gives the wrapper the function's `name`, `length` and prototype, so that reflection sees the same function. */
function copyShape(wrapper: (...args: never[]) => unknown, fn: (...args: never[]) => unknown): void {
  try {
    Object.defineProperty(wrapper, "name", { value: fn.name, configurable: true });
    Object.defineProperty(wrapper, "length", { value: fn.length, configurable: true });
    // An async function stays recognisable as one (`fn[Symbol.toStringTag] === "AsyncFunction"`).
    Object.setPrototypeOf(wrapper, Object.getPrototypeOf(fn) as object | null);
    if (Object.prototype.hasOwnProperty.call(fn, "prototype")) Object.defineProperty(wrapper, "prototype", { value: (fn as { prototype?: unknown }).prototype, writable: true });
  } catch {
    // A frozen or exotic function keeps the wrapper's own shape; the calls are still the same.
  }
}

/**
 * Runs a block as one span: `fn` gets no arguments and its result is recorded as the output, exactly as `trace()` does
 * (promises awaited, streams recorded as they are consumed). Returns what `fn` returns, throws what it throws. When
 * tracing is off, it calls `fn` and nothing else.
 *
 * @param name - the span's name
 * @param options - the options of `trace()` (its `name` is ignored)
 * @param fn - the block
 * @returns what `fn` returns
 *
 * @example
 * ```ts
 * import { getCurrentSpan, withSpan } from "@llmops/core";
 * const total = await withSpan("sum-prices", { kind: "tool" }, async () => {
 *   getCurrentSpan().setMetadata({ currency: "EUR" });
 *   return 3 + 4;
 * });
 * ```
 */
export function withSpan<T>(name: string, options: Omit<TraceOptions, "name"> | undefined, fn: () => T): T {
  if (typeof fn !== "function") {
    warnOnce("with-span-not-function", `withSpan(name, options, fn) takes a function as fn, not ${fn === null ? "null" : typeof fn}.`);
    return (fn as () => T)();
  }
  let recording: RecordingOptions;
  try {
    recording = recordingOptions({ ...options, name: typeof name === "string" ? name : undefined }, fn.name || "withSpan");
  } catch {
    recording = recordingOptions(undefined, typeof name === "string" ? name : "withSpan");
  }
  return tracedCall({ ...recording, captureInput: false }, [], fn) as T;
}
