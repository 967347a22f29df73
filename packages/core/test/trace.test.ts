import { EventEmitter } from "node:events";
import { Readable } from "node:stream";
import { trace as otelTrace } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import fc from "fast-check";
import { collectorFailures, getCurrentSpan, getPlatform, MAX_VALUE_LENGTH, registerCollector, registerPlatform, textCollector, trace, withSpan } from "@llmops/core";
import type { InstrumentationHandle } from "@llmops/core";
import { captureDiag, createTempApp } from "@llmops-internal/test-support";
import type { CapturedLogs } from "@llmops-internal/test-support";
import { resetProcessState } from "@llmops-internal/test-support/process-state";
import { memoryPlatform } from "./helpers";

const appRoot = createTempApp({ manifest: { name: "trace-app" } });
let exporter: ReturnType<typeof memoryPlatform>["exporter"];
let tracing: InstrumentationHandle;
let logs: CapturedLogs;

async function start(): Promise<void> {
  const memory = memoryPlatform();
  exporter = memory.exporter;
  registerPlatform(memory.platform);
  tracing = await getPlatform("memory").instrument({ appRoot, env: {}, flushOnExit: false, config: { service: { name: "traced" } } });
}

function spans(): ReadableSpan[] {
  return exporter.getFinishedSpans();
}

function only(name: string): ReadableSpan {
  const found = spans().filter((span) => span.name === name);
  expect(found).toHaveLength(1);
  return found[0] as ReadableSpan;
}

function parentOf(span: ReadableSpan): string | undefined {
  return span.parentSpanContext?.spanId;
}

const tick = (millis = 1): Promise<void> => new Promise((resolve) => setTimeout(resolve, millis));

beforeEach(() => {
  resetProcessState();
  logs = captureDiag();
});

describe("trace() when tracing is off", () => {
  it("is a pass-through before instrument() and after shutdown(): same results, no span", async () => {
    const add = trace((a: number, b: number) => a + b, { name: "add", kind: "tool" });
    expect(add(1, 2)).toBe(3);
    expect(withSpan("off", {}, () => getCurrentSpan().recording)).toBe(false);
    await start();
    expect(add(2, 2)).toBe(4);
    await tracing.forceFlush();
    expect(spans().map((span) => span.name)).toEqual(["add"]);
    await tracing.shutdown();
    exporter.reset();
    expect(add(3, 3)).toBe(6);
    await expect(trace(async () => "later")()).resolves.toBe("later");
    expect(spans()).toEqual([]);
  });
});

describe("trace() and the pipeline's provider", () => {
  it("records through the running pipeline's provider, under the @llmops/core scope, also with global: false", async () => {
    const memory = memoryPlatform();
    registerPlatform(memory.platform);
    const handle = await getPlatform("memory").instrument({ appRoot, env: {}, flushOnExit: false, global: false, config: { service: { name: "traced" } } });
    expect(otelTrace.getTracerProvider()).not.toBe(handle.tracerProvider);
    trace(function viaPipeline() {})();
    await handle.forceFlush();
    expect(memory.exporter.getFinishedSpans().map((span) => [span.name, span.instrumentationScope.name])).toEqual([["viaPipeline", "@llmops/core"]]);
    await handle.shutdown();
  });
});

describe("trace() when tracing is on", () => {
  beforeEach(start);
  afterEach(() => tracing.shutdown());

  it("keeps name, length, this, the result and the thrown error object; records kind, input and output", () => {
    const owner = {
      factor: 3,
      scale(this: { factor: number }, value: number, unit?: string): number {
        return unit === undefined ? value * this.factor : Number.NaN;
      },
    };
    const scale = trace(owner.scale, { kind: "tool" });
    expect(scale.name).toBe("scale");
    expect(scale.length).toBe(owner.scale.length);
    expect(scale.call(owner, 2)).toBe(6);
    const error = new RangeError("no");
    const fails = trace(function fails(): never {
      throw error;
    });
    expect(() => fails()).toThrow(error);
    try {
      fails();
    } catch (caught) {
      expect(caught).toBe(error);
    }
    const scaled = only("scale");
    expect(scaled.attributes).toEqual(
      expect.objectContaining({
        "openinference.span.kind": "TOOL",
        "input.value": "2",
        "input.mime_type": "application/json",
        "output.value": "6",
        "output.mime_type": "application/json",
      }),
    );
    const failed = spans().filter((span) => span.name === "fails");
    expect(failed).toHaveLength(2);
    expect(failed[0]?.status).toEqual({ code: 2, message: "no" });
    expect(failed[0]?.events.map((event) => event.name)).toEqual(["exception"]);
    expect(failed[0]?.attributes["openinference.span.kind"]).toBe("CHAIN");
  });

  it("keeps the sync/async nature: an async function stays an AsyncFunction, a sync one returns no promise", async () => {
    const asyncOne = trace(async () => 1);
    const syncOne = trace(() => 1);
    expect(Object.prototype.toString.call(asyncOne)).toBe("[object AsyncFunction]");
    expect(syncOne()).toBe(1);
    const pending = asyncOne();
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).resolves.toBe(1);
  });

  it("records text as text/plain, caps sizes, and survives cycles and BigInt", () => {
    const cyclic: Record<string, unknown> = { big: 10n ** 30n, name: "loop" };
    cyclic.self = cyclic;
    const echo = trace((value: unknown) => value, { name: "echo" });
    expect(echo(cyclic)).toBe(cyclic);
    const span = only("echo");
    expect(JSON.parse(span.attributes["input.value"] as string)).toEqual({ big: "1000000000000000000000000000000", name: "loop", self: "[Circular]" });
    exporter.reset();
    const long = "x".repeat(MAX_VALUE_LENGTH * 2);
    trace((text: string) => text, { name: "long" })(long);
    const longSpan = only("long");
    expect(longSpan.attributes["input.mime_type"]).toBe("text/plain");
    expect((longSpan.attributes["output.value"] as string).length).toBe(MAX_VALUE_LENGTH);
    expect(longSpan.attributes["output.value"]).toMatch(/…\[truncated\]$/);
  });

  it("leaves input and output out with captureInput/captureOutput false", () => {
    trace((secret: string) => secret.length, { name: "private", captureInput: false, captureOutput: false })("hunter2");
    const span = only("private");
    expect(Object.keys(span.attributes).filter((key) => key.startsWith("input.") || key.startsWith("output."))).toEqual([]);
  });

  it("awaits a promise: the span ends when it settles, a rejection keeps its error object", async () => {
    const error = new Error("late");
    const slow = trace(async function slow(value: number) {
      await tick(5);
      return value + 1;
    });
    const broken = trace(async function broken() {
      await tick(1);
      throw error;
    });
    const pending = slow(1);
    expect(spans()).toEqual([]);
    await expect(pending).resolves.toBe(2);
    await expect(broken()).rejects.toBe(error);
    expect(only("slow").attributes["output.value"]).toBe("2");
    expect(only("broken").status.code).toBe(2);
  });

  it("hands back a promise subclass as it is (its own methods kept), ending the span when it settles", async () => {
    class ApiPromise<T> extends Promise<T> {
      withResponse(): Promise<{ data: T; response: string }> {
        return this.then((data) => ({ data, response: "raw" }));
      }
    }
    const error = new Error("refused");
    let made: ApiPromise<string> | undefined;
    const call = trace(function call(fail: boolean): ApiPromise<string> {
      made = new ApiPromise<string>((resolve, reject) => setTimeout(() => (fail ? reject(error) : resolve("answer")), 2));
      return made;
    });
    const pending = call(false);
    // The very object the function returned: a client's promise may override then() and carry state of its own.
    expect(pending).toBe(made);
    await expect(pending.withResponse()).resolves.toEqual({ data: "answer", response: "raw" });
    await expect(call(true)).rejects.toBe(error);
    await tick(5);
    const [ok, failed] = spans().filter((span) => span.name === "call");
    expect(ok?.attributes["output.value"]).toBe("answer");
    expect(failed?.status.code).toBe(2);
  });

  it("nests child spans across await, timers and event callbacks", async () => {
    const child = trace(async function child() {
      await tick();
      return "child";
    });
    const parent = trace(async function parent() {
      await tick();
      await child();
      await new Promise<void>((resolve) =>
        setTimeout(() => {
          trace(function inTimer() {})();
          resolve();
        }, 1),
      );
      await withSpan("block", { kind: "tool" }, async () => child());
    });
    await parent();
    const parentSpan = only("parent");
    const blockSpan = only("block");
    const children = spans().filter((span) => span.name === "child");
    expect(children.map(parentOf)).toEqual([parentSpan.spanContext().spanId, blockSpan.spanContext().spanId]);
    expect(parentOf(only("inTimer"))).toBe(parentSpan.spanContext().spanId);
    expect(parentOf(blockSpan)).toBe(parentSpan.spanContext().spanId);
    expect(new Set(spans().map((span) => span.spanContext().traceId)).size).toBe(1);
  });

  it("nests spans started in an event listener under the span that emitted the event", async () => {
    const emitter = new EventEmitter();
    emitter.on(
      "step",
      trace(function onStep() {}),
    );
    await trace(async function emitting() {
      await tick();
      emitter.emit("step");
    })();
    expect(parentOf(only("onStep"))).toBe(only("emitting").spanContext().spanId);
  });

  it("records an async generator as it is consumed, in the span's context at each step; break ends the span", async () => {
    const inner = trace(function inner(item: number) {
      return item;
    });
    const numbers = trace(async function* numbers(count: number) {
      for (let index = 0; index < count; index += 1) {
        await tick();
        yield inner(index);
      }
    });
    const generator = numbers(3);
    expect(Object.prototype.toString.call(generator)).toBe("[object AsyncGenerator]");
    const seen: number[] = [];
    for await (const item of generator) seen.push(item);
    expect(seen).toEqual([0, 1, 2]);
    const span = only("numbers");
    expect(span.attributes["output.value"]).toBe("[0,1,2]");
    expect(
      spans()
        .filter((child) => child.name === "inner")
        .map(parentOf),
    ).toEqual([span.spanContext().spanId, span.spanContext().spanId, span.spanContext().spanId]);
    exporter.reset();
    let finallyRan = false;
    const endless = trace(async function* endless() {
      try {
        for (let index = 0; ; index += 1) yield index;
      } finally {
        finallyRan = true;
      }
    });
    for await (const item of endless()) if (item === 2) break;
    expect(finallyRan).toBe(true);
    expect(only("endless").attributes["output.value"]).toBe("[0,1,2]");
  });

  it("records an error thrown while iterating, and hands the consumer the same error", async () => {
    const error = new Error("mid-stream");
    const failing = trace(async function* failing() {
      yield "a";
      throw error;
    });
    const seen: string[] = [];
    await expect(
      (async () => {
        for await (const item of failing()) seen.push(item);
      })(),
    ).rejects.toBe(error);
    expect(seen).toEqual(["a"]);
    expect(only("failing").status).toEqual({ code: 2, message: "mid-stream" });
  });

  it("records an async iterable object that is not an iterator, keeping its other methods", async () => {
    class Stream {
      #items = ["Hel", "lo"];
      extra(): number {
        return this.#items.length;
      }
      async *[Symbol.asyncIterator](): AsyncGenerator<string> {
        for (const item of this.#items) yield item;
      }
    }
    const stream = trace(async function stream() {
      return new Stream();
    });
    const result = await stream();
    expect(result.extra()).toBe(2);
    const seen: string[] = [];
    for await (const item of result) seen.push(item);
    expect(seen).toEqual(["Hel", "lo"]);
    const span = only("stream");
    expect(span.attributes["output.value"]).toBe("Hello");
    expect(span.attributes["output.mime_type"]).toBe("text/plain");
  });

  it("records a web ReadableStream as it is read, and a cancel ends the span", async () => {
    const child = trace(function pulled() {});
    const source = trace(function source(count: number) {
      let index = 0;
      return new ReadableStream<string>({
        pull(controller) {
          child();
          if (index < count) controller.enqueue(`chunk${index++}`);
          else controller.close();
        },
      });
    });
    const seen: string[] = [];
    for await (const chunk of source(2) as unknown as AsyncIterable<string>) seen.push(chunk);
    expect(seen).toEqual(["chunk0", "chunk1"]);
    const span = only("source");
    expect(span.attributes["output.value"]).toBe("chunk0chunk1");
    const pulls = spans().filter((pull) => pull.name === "pulled");
    expect(pulls.length).toBeGreaterThanOrEqual(3);
    expect(new Set(pulls.map(parentOf))).toEqual(new Set([span.spanContext().spanId]));
    exporter.reset();
    const reader = source(10).getReader();
    expect(await reader.read()).toEqual({ done: false, value: "chunk0" });
    await reader.cancel("enough");
    expect(only("source").attributes["output.value"]).toBe("chunk0");
  });

  it("records a Node Readable without changing its flow, and its error", async () => {
    const readable = trace(function readable(items: string[]) {
      return Readable.from(items);
    });
    const stream = readable(["a", "b", "c"]);
    expect(stream).toBeInstanceOf(Readable);
    const seen: string[] = [];
    for await (const item of stream) seen.push(item as string);
    expect(seen).toEqual(["a", "b", "c"]);
    await tick(5);
    expect(only("readable").attributes["output.value"]).toBe("abc");
    exporter.reset();
    // Consumed in flowing mode through a 'data' listener, as pipe() does: same chunks, span ends at 'end'.
    const flowing = readable(["x", "y"]);
    const chunks: string[] = [];
    await new Promise<void>((resolve) => {
      flowing.on("data", (chunk: string) => chunks.push(chunk));
      flowing.on("end", resolve);
    });
    expect(chunks).toEqual(["x", "y"]);
    expect(only("readable").attributes["output.value"]).toBe("xy");
    exporter.reset();
    const error = new Error("broken pipe");
    const broken = trace(function broken() {
      return new Readable({
        read() {
          this.destroy(error);
        },
      });
    });
    await expect(
      (async () => {
        for await (const item of broken()) void item;
      })(),
    ).rejects.toBe(error);
    await tick(5);
    expect(only("broken").status.code).toBe(2);
  });

  it("getCurrentSpan() sets metadata, input, output, attributes and status on the running span", async () => {
    await withSpan("block", { kind: "agent" }, async () => {
      await tick();
      getCurrentSpan().setMetadata({ plan: "pro" }).setMetadata({ region: "eu" }).setAttributes({ "app.hit": true }).setInput({ q: 1 }).setStatus("error", "partial");
    });
    const span = only("block");
    expect(JSON.parse(span.attributes.metadata as string)).toEqual({ plan: "pro", region: "eu" });
    expect(span.attributes).toEqual(expect.objectContaining({ "app.hit": true, "input.value": '{"q":1}', "openinference.span.kind": "AGENT" }));
    expect(span.status).toEqual({ code: 2, message: "partial" });
    // Metadata the span started with (a span processor applying the context's metadata, say) is kept and merged.
    exporter.reset();
    withSpan("seeded", { attributes: { metadata: '{"session":"s1"}' } }, () => getCurrentSpan().setMetadata({ step: 2 }));
    expect(JSON.parse(only("seeded").attributes.metadata as string)).toEqual({ session: "s1", step: 2 });
    // Outside every span, and with bad arguments: nothing happens and nothing is thrown.
    expect(getCurrentSpan().recording).toBe(false);
    expect(() =>
      getCurrentSpan()
        .setMetadata(null as never)
        .setAttributes(undefined as never),
    ).not.toThrow();
  });

  it("runs collectors: the text collector, registered ones, and isolates one that throws", async () => {
    let throwing = 0;
    registerCollector("letters", (call) => ({ "app.letters": String(call.result).length, "app.args": call.args.length }));
    const explode = function explode(): never {
      throwing += 1;
      throw new Error("collector bug");
    };
    const before = collectorFailures().explode ?? 0;
    const answer = trace(async (question: string) => `You asked:\n${question}`, { name: "answer", collectors: [textCollector, "letters", explode, "missing"] });
    await expect(answer("what now")).resolves.toBe("You asked:\nwhat now");
    await expect(answer("again")).resolves.toBe("You asked:\nagain");
    expect(throwing).toBe(2);
    expect(collectorFailures().explode).toBe(before + 2);
    expect(collectorFailures().missing).toBeGreaterThanOrEqual(2);
    expect(logs.messages.filter((message) => message.includes('collector "explode"'))).toHaveLength(1);
    const [first] = spans().filter((span) => span.name === "answer");
    expect(first?.attributes).toEqual(
      expect.objectContaining({ "llmops.text.characters": 19, "llmops.text.words": 4, "llmops.text.lines": 2, "app.letters": 19, "app.args": 1, "output.value": "You asked:\nwhat now" }),
    );
    expect(first?.ended).toBe(true);
  });

  it("collectors see the duration and the error of a failed call", () => {
    const calls: unknown[] = [];
    const error = new Error("x");
    const failing = trace(
      () => {
        throw error;
      },
      { name: "failing", collectors: [(call) => void calls.push({ error: call.error, hasResult: "result" in call, duration: call.durationMillis >= 0 })] },
    );
    expect(() => failing()).toThrow(error);
    expect(calls).toEqual([{ error, hasResult: false, duration: true }]);
  });

  it("never throws its own errors into the caller, whatever the arguments", () => {
    expect(trace(42 as never)).toBe(42);
    const weird = trace((value: unknown) => value, { kind: "nope" as never, collectors: "text" as never, attributes: 7 as never, name: 5 as never });
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error("no keys");
        },
      },
    );
    expect(weird(hostile)).toBe(hostile);
    expect(() => withSpan(undefined as never, null as never, () => 1)).not.toThrow();
    expect(spans().length).toBeGreaterThan(0);
  });
});

describe("trace() contract, property-based", () => {
  beforeEach(start);
  afterEach(() => tracing.shutdown());

  type Shape = { kind: "sync" | "async" | "asyncGenerator"; throws: boolean; value: unknown; items: unknown[] };
  const shape = fc.record({
    kind: fc.constantFrom("sync" as const, "async" as const, "asyncGenerator" as const),
    throws: fc.boolean(),
    value: fc.anything({ withBigInt: true, withMap: true, withSet: true, withDate: true, withTypedArray: true }),
    items: fc.array(fc.anything({ withBigInt: true }), { maxLength: 5 }),
  });

  function make(spec: Shape, error: Error): (this: unknown, ...args: unknown[]) => unknown {
    switch (spec.kind) {
      case "sync":
        return function (this: unknown) {
          if (spec.throws) throw error;
          return [this, spec.value];
        };
      case "async":
        return async function (this: unknown) {
          await Promise.resolve();
          if (spec.throws) throw error;
          return [this, spec.value];
        };
      case "asyncGenerator":
        return async function* (this: unknown) {
          yield this;
          for (const item of spec.items) yield item;
          if (spec.throws) throw error;
        };
    }
  }

  async function outcome(
    fn: (this: unknown, ...args: unknown[]) => unknown,
    self: unknown,
    args: unknown[],
  ): Promise<{ threw?: unknown; rejected?: unknown; value?: unknown; items?: unknown[]; isPromise?: boolean }> {
    let result: unknown;
    try {
      result = fn.apply(self, args);
    } catch (error) {
      return { threw: error };
    }
    if (result instanceof Promise) {
      try {
        return { isPromise: true, value: await result };
      } catch (error) {
        return { isPromise: true, rejected: error };
      }
    }
    if (typeof result === "object" && result !== null && Symbol.asyncIterator in result) {
      const items: unknown[] = [];
      try {
        for await (const item of result as AsyncIterable<unknown>) items.push(item);
      } catch (error) {
        return { items, rejected: error };
      }
      return { items };
    }
    return { value: result };
  }

  it("gives the caller exactly what the untraced function gives, and ends one span per call", async () => {
    await fc.assert(
      fc.asyncProperty(shape, fc.array(fc.anything({ withBigInt: true }), { maxLength: 4 }), fc.anything(), async (spec, args, self) => {
        exporter.reset();
        const error = new Error("property");
        const fn = make(spec, error);
        const traced = trace(fn, { name: "property" });
        expect(traced.length).toBe(fn.length);
        const plain = await outcome(fn, self, args);
        const seen = await outcome(traced, self, args);
        // Same values by identity where they are objects: the wrapper hands them on, it does not copy them.
        expect(seen.isPromise).toBe(plain.isPromise);
        expect(seen.threw).toBe(plain.threw);
        expect(seen.rejected).toBe(plain.rejected);
        if (Array.isArray(plain.value)) {
          expect((seen.value as unknown[])[0]).toBe(plain.value[0]);
          expect((seen.value as unknown[])[1]).toBe(plain.value[1]);
        }
        if (plain.items !== undefined) {
          expect(seen.items?.length).toBe(plain.items.length);
          plain.items.forEach((item, index) => expect(Object.is(seen.items?.[index], item)).toBe(true));
        }
        const recorded = spans().filter((span) => span.name === "property");
        expect(recorded).toHaveLength(1);
        expect(recorded[0]?.status.code).toBe(spec.throws ? 2 : 0);
      }),
      { numRuns: 150 },
    );
  });
});
