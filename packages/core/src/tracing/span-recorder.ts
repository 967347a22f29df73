import type { Attributes, Context, Span } from "@opentelemetry/api";
import { types } from "node:util";
import { messageOf } from "../errors/error-message";
import { INPUT_MIME_TYPE, INPUT_VALUE, OUTPUT_MIME_TYPE, OUTPUT_VALUE, SPAN_KIND, spanKindValue, TEXT_MIME_TYPE } from "./attributes";
import type { SpanKind } from "./attributes";
import type { ActiveTracer } from "./active-tracer";
import { runCollectors } from "./collectors";
import type { Collector } from "./collectors";
import { MAX_VALUE_LENGTH, serializeValue } from "./serialize";

/** How many items of a stream or async iterable a span keeps for its output and collectors; the consumer gets them all. */
export const MAX_COLLECTED_ITEMS = 1_000;

/** What a traced call records, resolved once per wrapped function. */
export interface RecordingOptions {
  readonly name: string;
  readonly kind: SpanKind;
  readonly captureInput: boolean;
  readonly captureOutput: boolean;
  readonly attributes: Attributes | undefined;
  readonly collectors: ReadonlyArray<{ readonly name: string; readonly collect: Collector }>;
}

/**
 * One span for one call: started before the function runs, the active context while it runs, and ended exactly once,
 * when the call's result settles: at once for a plain value, when a promise settles, when the consumer of a stream or
 * async iterable finishes, breaks off or meets an error. Nothing here throws into the caller; the caller's own values
 * and errors pass through untouched.
 */
export class SpanRecorder {
  readonly span: Span;
  readonly context: Context;
  private readonly started = performance.now();
  private ended = false;
  private items: unknown[] | undefined;

  constructor(
    private readonly active: ActiveTracer,
    private readonly options: RecordingOptions,
    private readonly args: readonly unknown[],
  ) {
    const { api, tracer } = active;
    const attributes: Attributes = { ...options.attributes, [SPAN_KIND]: spanKindValue(options.kind) };
    if (options.captureInput && args.length > 0) {
      const input = serializeValue(args.length === 1 ? args[0] : args);
      attributes[INPUT_VALUE] = input.value;
      attributes[INPUT_MIME_TYPE] = input.mimeType;
    }
    const parent = api.context.active();
    this.span = tracer.startSpan(options.name, { attributes }, parent);
    this.context = api.trace.setSpan(parent, this.span);
  }

  /** Runs `invoke` with this span as the active one. */
  run<T>(invoke: () => T): T {
    return this.active.api.context.with(this.context, invoke);
  }

  /** The call failed: the error is recorded and the span ends. */
  fail(error: unknown): void {
    if (this.ended) return;
    try {
      this.span.recordException(error instanceof Error ? error : messageOf(error));
      this.span.setStatus({ code: this.active.api.SpanStatusCode.ERROR, message: messageOf(error) });
    } catch {
      // A span that refuses an event still ends below.
    }
    this.finish(this.items, error, true);
  }

  /**
   * What the caller gets back for `result`: the same value, or, for a promise, stream or async iterable, one that
   * yields the same values while the span watches it.
   */
  settle(result: unknown): unknown {
    try {
      if (types.isPromise(result)) {
        if (Object.getPrototypeOf(result) !== Promise.prototype) {
          // A promise of a subclass (a client's API promise, with methods such as `withResponse()`) is handed back as it
          // is; the span watches it from the side and ends when it settles. The side chain handles a rejection, so it
          // adds no unhandled one: the caller's own handling of the promise is what it would have been.
          result.then(
            (value: unknown) => this.finish(value, undefined, false),
            (error: unknown) => this.fail(error),
          );
          return result;
        }
        return result.then(
          (value: unknown) => this.settle(value),
          (error: unknown) => {
            this.fail(error);
            throw error;
          },
        );
      }
      if (typeof result === "object" && result !== null) {
        if (isNodeReadable(result)) return this.watchReadable(result);
        if (typeof ReadableStream !== "undefined" && result instanceof ReadableStream) return this.watchWebStream(result);
        if (isAsyncIterator(result)) return this.watchIterator(result);
        if (typeof (result as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === "function") return this.watchIterable(result as AsyncIterable<unknown>);
      }
    } catch {
      // Looking at the result failed (a proxy that refuses, a getter that throws): the caller gets it as it is.
    }
    this.finish(result, undefined, false);
    return result;
  }

  private collect(item: unknown): void {
    this.items ??= [];
    if (this.items.length < MAX_COLLECTED_ITEMS) this.items.push(item);
  }

  /** Ends the span, once: output, collectors, end time. */
  finish(result: unknown, error: unknown, failed: boolean): void {
    if (this.ended) return;
    this.ended = true;
    try {
      const attributes: Attributes = {};
      if (this.options.captureOutput && !failed && result !== undefined) {
        const allText = Array.isArray(result) && result === this.items && result.every((item) => typeof item === "string");
        const output = allText ? { value: (result as string[]).join("").slice(0, MAX_VALUE_LENGTH), mimeType: TEXT_MIME_TYPE } : serializeValue(result);
        attributes[OUTPUT_VALUE] = output.value;
        attributes[OUTPUT_MIME_TYPE] = output.mimeType;
      }
      if (this.options.collectors.length > 0) {
        const call = { name: this.options.name, kind: this.options.kind, args: this.args, durationMillis: performance.now() - this.started, ...(failed ? { error } : { result }) };
        Object.assign(attributes, runCollectors(this.options.collectors, call));
      }
      this.span.setAttributes(attributes);
    } catch {
      // The span still ends, without what could not be computed.
    }
    try {
      this.span.end();
    } catch {
      // An SDK that throws on end has nothing more to say; the caller is not told.
    }
  }

  /** An async iterator (an async generator's object, say): each step runs in the span's context and is watched. */
  private watchIterator<T>(iterator: AsyncIterator<T> & object): AsyncIterator<T> {
    // Same prototype: `instanceof`, `Symbol.toStringTag` and inherited methods stay what the caller would have seen.
    const watched = Object.create(Object.getPrototypeOf(iterator) as object | null) as AsyncIterator<T> & AsyncIterable<T>;
    const step = (method: "next" | "return" | "throw", value: unknown): Promise<IteratorResult<T>> => {
      const target = iterator[method] as ((value?: unknown) => Promise<IteratorResult<T>>) | undefined;
      if (typeof target !== "function") {
        // An iterator without return() or throw(): the consumer broke off (or threw in), and the span ends now.
        if (method === "throw") {
          this.fail(value);
          return Promise.reject(value);
        }
        this.finish(this.items, undefined, false);
        return Promise.resolve({ done: true, value: value as T });
      }
      let pending: Promise<IteratorResult<T>>;
      try {
        pending = Promise.resolve(this.run(() => target.call(iterator, value)));
      } catch (error) {
        this.fail(error);
        throw error;
      }
      return pending.then(
        (result) => {
          if (result === null || typeof result !== "object" || result.done === true || method === "return") this.finish(this.items, undefined, false);
          else this.collect(result.value);
          return result;
        },
        (error: unknown) => {
          this.fail(error);
          throw error;
        },
      );
    };
    Object.defineProperty(watched, "next", { value: (value?: unknown) => step("next", value), configurable: true, writable: true });
    if (typeof iterator.return === "function") Object.defineProperty(watched, "return", { value: (value?: unknown) => step("return", value), configurable: true, writable: true });
    if (typeof iterator.throw === "function") Object.defineProperty(watched, "throw", { value: (value?: unknown) => step("throw", value), configurable: true, writable: true });
    Object.defineProperty(watched, Symbol.asyncIterator, { value: () => watched, configurable: true, writable: true });
    return watched;
  }

  /**
   * An async iterable that is not an iterator itself (a client's stream object): the same object, seen through a proxy
   * whose `[Symbol.asyncIterator]()` hands out a watched iterator. Every other property is the object's own; methods
   * are called on the object itself, so private fields keep working.
   */
  private watchIterable<T>(iterable: AsyncIterable<T> & object): AsyncIterable<T> {
    let iterated = false;
    const bound = new Map<PropertyKey, unknown>();
    return new Proxy(iterable, {
      get: (target, property) => {
        if (property === Symbol.asyncIterator) {
          return () => {
            const iterator = target[Symbol.asyncIterator]();
            // A second iteration is the consumer's business; the span recorded the first one.
            if (iterated) return iterator;
            iterated = true;
            return this.watchIterator(iterator);
          };
        }
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== "function" || property === "constructor") return value;
        if (!bound.has(property)) bound.set(property, (value as (...args: unknown[]) => unknown).bind(target));
        return bound.get(property);
      },
    });
  }

  /**
   * A web ReadableStream: a new stream that reads the original one item at a time (no read-ahead), hands every item
   * on unchanged and passes a cancel back to it.
   */
  private watchWebStream<T>(stream: ReadableStream<T>): ReadableStream<T> {
    const reader = stream.getReader();
    return new ReadableStream<T>(
      {
        pull: async (controller) => {
          let read: Awaited<ReturnType<typeof reader.read>>;
          try {
            read = await this.run(() => reader.read());
          } catch (error) {
            this.fail(error);
            controller.error(error);
            return;
          }
          if (read.done) {
            this.finish(this.items, undefined, false);
            controller.close();
          } else {
            this.collect(read.value);
            controller.enqueue(read.value);
          }
        },
        cancel: (reason: unknown) => {
          this.finish(this.items, undefined, false);
          return reader.cancel(reason);
        },
      },
      { highWaterMark: 0 },
    );
  }

  /**
   * A Node Readable: the same stream, with its own `push` and `emit` watched, so that neither a listener nor the
   * flowing mode changes: items are seen as the producer pushes them, the end at `end`, `close` or `error`.
   */
  private watchReadable(stream: NodeReadableLike): NodeReadableLike {
    const push = stream.push;
    const emit = stream.emit;
    const collect = (chunk: unknown): void => this.collect(chunk);
    const fail = (error: unknown): void => this.fail(error);
    const finish = (): void => this.finish(this.items, undefined, false);
    stream.push = function (this: unknown, chunk: unknown, ...rest: unknown[]) {
      if (chunk !== null && chunk !== undefined) collect(chunk);
      return push.call(this, chunk, ...rest);
    };
    stream.emit = function (this: unknown, event: string | symbol, ...args: unknown[]) {
      if (event === "error") fail(args[0]);
      else if (event === "end" || event === "close") finish();
      return emit.call(this, event, ...args);
    };
    return stream;
  }
}

interface NodeReadableLike {
  push: (chunk: unknown, ...rest: unknown[]) => boolean;
  emit: (event: string | symbol, ...args: unknown[]) => boolean;
  pipe: unknown;
  on: unknown;
}

function isNodeReadable(value: object): value is NodeReadableLike {
  const candidate = value as Partial<Record<"push" | "emit" | "pipe" | "on" | "read", unknown>>;
  return (
    typeof candidate.pipe === "function" && typeof candidate.on === "function" && typeof candidate.push === "function" && typeof candidate.emit === "function" && typeof candidate.read === "function"
  );
}

function isAsyncIterator(value: object): value is AsyncIterator<unknown> & object {
  const candidate = value as { next?: unknown; [Symbol.asyncIterator]?: unknown };
  return typeof candidate.next === "function" && typeof candidate[Symbol.asyncIterator] === "function";
}
