import { EventEmitter } from "node:events";
import { Readable } from "node:stream";
import { context, trace } from "@opentelemetry/api";
import type { InMemorySpanExporter, ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { getPlatform, registerPlatform, withAttributes, withContext, withMetadata, withSession, withTags, withUser } from "@llmops/core";
import type { InstrumentationHandle } from "@llmops/core";
import { createTempApp } from "@llmops-internal/test-support";
import { resetProcessState } from "@llmops-internal/test-support/process-state";
import { memoryPlatform } from "./helpers";

const appRoot = createTempApp({ manifest: { name: "context-app" } });
const tick = (milliseconds = 0): Promise<void> => new Promise((resolve) => setTimeout(resolve, milliseconds));

/** A span of a plain third-party tracer, as any instrumentation would start it. */
function thirdPartySpan(name: string): void {
  trace.getTracer("x").startSpan(name).end();
}

function byName(exporter: InMemorySpanExporter, name: string): ReadableSpan {
  const span = exporter.getFinishedSpans().find((candidate) => candidate.name === name);
  if (span === undefined)
    throw new Error(
      `no span "${name}" among ${exporter
        .getFinishedSpans()
        .map((s) => s.name)
        .join(", ")}`,
    );
  return span;
}

describe("withSession, withUser, withContext... while tracing runs", () => {
  let tracing: InstrumentationHandle;
  let exporter: InMemorySpanExporter;

  beforeAll(async () => {
    resetProcessState();
    const memory = memoryPlatform();
    exporter = memory.exporter;
    registerPlatform(memory.platform);
    tracing = await getPlatform("memory").instrument({ appRoot, env: {}, flushOnExit: false, config: { service: { name: "svc" } } });
    expect(tracing.active).toBe(true);
  });

  afterAll(async () => {
    await tracing.shutdown();
    resetProcessState();
  });

  beforeEach(() => exporter.reset());

  it("sets session.id, user.id, metadata, tag.tags and attributes on a third-party tracer's span started inside", () => {
    withContext({ sessionId: "s-1", userId: "u-1", metadata: { plan: "pro", n: 2 }, tags: ["a", "b"], attributes: { "app.tenant": "acme", "app.retries": 2 } }, () => thirdPartySpan("inside"));
    thirdPartySpan("outside");
    expect(byName(exporter, "inside").attributes).toEqual({
      "session.id": "s-1",
      "user.id": "u-1",
      metadata: JSON.stringify({ plan: "pro", n: 2 }),
      "tag.tags": ["a", "b"],
      "app.tenant": "acme",
      "app.retries": 2,
    });
    expect(byName(exporter, "outside").attributes).toEqual({});
  });

  it("nests: inner session/user win, metadata and attributes merge, tags accumulate once each, the outer level is unchanged after", () => {
    withSession("outer", () =>
      withUser("ada", () =>
        withMetadata({ a: 1, b: 1 }, () =>
          withTags(["x", "y"], () =>
            withAttributes({ "app.k": "outer", "app.o": true }, () => {
              withContext({ sessionId: "inner", metadata: { b: 2, c: 3 }, tags: ["y", "z"], attributes: { "app.k": "inner" } }, () => thirdPartySpan("inner"));
              thirdPartySpan("outer-after");
            }),
          ),
        ),
      ),
    );
    expect(byName(exporter, "inner").attributes).toEqual({
      "session.id": "inner",
      "user.id": "ada",
      metadata: JSON.stringify({ a: 1, b: 2, c: 3 }),
      "tag.tags": ["x", "y", "z"],
      "app.k": "inner",
      "app.o": true,
    });
    expect(byName(exporter, "outer-after").attributes).toEqual({
      "session.id": "outer",
      "user.id": "ada",
      metadata: JSON.stringify({ a: 1, b: 1 }),
      "tag.tags": ["x", "y"],
      "app.k": "outer",
      "app.o": true,
    });
  });

  it("returns fn's result unchanged: the same object, the same promise, the same thrown error", async () => {
    const object = { answer: 42 };
    expect(withSession("s", () => object)).toBe(object);
    const promise = Promise.resolve(object);
    expect(withUser("u", () => promise)).toBe(promise);
    const error = new Error("boom");
    expect(() =>
      withTags(["t"], () => {
        throw error;
      }),
    ).toThrow(error);
    const rejected = Promise.reject(error);
    await expect(withMetadata({ k: 1 }, () => rejected)).rejects.toBe(error);
  });

  it("keeps the context through await, setTimeout, event emitters and async generators, with parent/child links", async () => {
    const tracer = trace.getTracer("x");
    const emitter = new EventEmitter();
    async function* numbers(): AsyncGenerator<number> {
      for (let index = 0; index < 3; index += 1) {
        await tick(1);
        thirdPartySpan(`generator-${index}`);
        yield index;
      }
    }
    await withSession("kept", () =>
      tracer.startActiveSpan("parent", async (parent) => {
        await tick(2);
        thirdPartySpan("after-await");
        await new Promise<void>((resolve) =>
          setTimeout(() => {
            thirdPartySpan("in-timer");
            resolve();
          }, 1),
        );
        const heard = new Promise<void>((resolve) =>
          emitter.once("event", () => {
            thirdPartySpan("in-listener");
            resolve();
          }),
        );
        setTimeout(() => emitter.emit("event"), 1);
        await heard;
        for await (const value of numbers()) expect(typeof value).toBe("number");
        parent.end();
      }),
    );
    // Started after the block: none of it leaks out.
    thirdPartySpan("after-block");
    const parent = byName(exporter, "parent");
    expect(parent.attributes["session.id"]).toBe("kept");
    for (const name of ["after-await", "in-timer", "in-listener", "generator-0", "generator-1", "generator-2"]) {
      const span = byName(exporter, name);
      expect([name, span.attributes["session.id"]]).toEqual([name, "kept"]);
      expect([name, span.parentSpanContext?.spanId]).toEqual([name, parent.spanContext().spanId]);
    }
    expect(byName(exporter, "after-block").attributes["session.id"]).toBeUndefined();
  });

  it("keeps the context in a Node stream's handlers and in for await over a stream, per request", async () => {
    const consume = (session: string): Promise<void> =>
      withSession(session, async () => {
        const source = Readable.from(["a", "b"]);
        source.on("data", (chunk: string) => thirdPartySpan(`${session}-data-${chunk}`));
        await new Promise((resolve) => source.on("end", resolve));
        for await (const chunk of Readable.from(["c"])) {
          await tick(1);
          thirdPartySpan(`${session}-iterated-${String(chunk)}`);
        }
      });
    await Promise.all([consume("first"), consume("second")]);
    for (const session of ["first", "second"]) {
      for (const suffix of ["data-a", "data-b", "iterated-c"]) expect(byName(exporter, `${session}-${suffix}`).attributes["session.id"]).toBe(session);
    }
  });

  it("keeps 200 interleaved concurrent requests apart: each span carries its own request's session and user", async () => {
    const requests = Array.from({ length: 200 }, (_, index) => index);
    await Promise.all(
      requests.map((index) =>
        withSession(`session-${index}`, () =>
          withUser(`user-${index}`, async () => {
            for (let step = 0; step < 3; step += 1) {
              // Different delays interleave the requests.
              await tick((index * 7 + step * 3) % 5);
              thirdPartySpan(`request-${index}-step-${step}`);
            }
          }),
        ),
      ),
    );
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(600);
    const crossed = spans.filter((span) => {
      const index = /^request-(\d+)-/.exec(span.name)?.[1];
      return span.attributes["session.id"] !== `session-${index}` || span.attributes["user.id"] !== `user-${index}`;
    });
    expect(crossed.map((span) => `${span.name}: ${String(span.attributes["session.id"])}`)).toEqual([]);
  });

  it("sets the OpenInference context keys that OpenInference instrumentors read", () => {
    const read = withContext({ sessionId: "s", userId: "u", metadata: { k: "v" }, tags: ["t"], attributes: { "app.a": 1 } }, () => {
      const active = context.active();
      // openinference-core's keys: createContextKey(`OpenInference SDK Context Key ${name}`) is Symbol.for of that text.
      const key = (name: string) => Symbol.for(`OpenInference SDK Context Key ${name}`);
      return ["session.id", "user.id", "metadata", "tag.tags", "attributes"].map((name) => active.getValue(key(name)));
    });
    expect(read).toEqual(["s", "u", JSON.stringify({ k: "v" }), JSON.stringify(["t"]), JSON.stringify({ "app.a": 1 })]);
  });

  it("leaves attributes a span already has, and turns tag.tags written as JSON text (OpenInference's form) into a list as the span ends", () => {
    withContext({ sessionId: "from-context", tags: ["t"] }, () =>
      trace
        .getTracer("x")
        .startSpan("explicit", { attributes: { "session.id": "explicit" } })
        .setAttribute("tag.tags", JSON.stringify(["t", "oi"]))
        .end(),
    );
    expect(byName(exporter, "explicit").attributes).toEqual({ "session.id": "explicit", "tag.tags": ["t", "oi"] });
  });

  it("never throws for values it cannot use: cycles, BigInt, wrong types; the call still runs", () => {
    const cyclic: Record<string, unknown> = { name: "loop", big: 10n };
    cyclic.self = cyclic;
    const result = withContext(
      {
        sessionId: 7 as unknown as string,
        userId: { not: "an id" } as unknown as string,
        metadata: cyclic,
        tags: [1, "a", "a", null] as unknown as string[],
        attributes: { "app.obj": { deep: cyclic }, "app.none": undefined, "app.fn": () => 1 } as never,
      },
      () => {
        thirdPartySpan("odd-values");
        return "ran";
      },
    );
    expect(result).toBe("ran");
    const attributes = byName(exporter, "odd-values").attributes;
    expect(attributes["session.id"]).toBe("7");
    expect(attributes["user.id"]).toBeUndefined();
    // The merged metadata is a new object holding the cyclic one's keys: the cycle is cut one level down.
    expect(JSON.parse(String(attributes.metadata))).toEqual({ name: "loop", big: "10", self: { name: "loop", big: "10", self: "[Circular]" } });
    expect(attributes["tag.tags"]).toEqual(["1", "a"]);
    expect(JSON.parse(String(attributes["app.obj"]))).toEqual({ deep: { name: "loop", big: "10", self: "[Circular]" } });
    expect(Object.keys(attributes)).not.toContain("app.fn");
    expect(withSession("s", undefined as unknown as () => number)).toBeUndefined();
    expect(() => withContext(null as never, () => 1)).not.toThrow();
  });
});

describe("withSession, withUser, withContext... when tracing is off", () => {
  beforeEach(() => resetProcessState());

  it("are pass-throughs before tracing starts and after shutdown: fn runs, its result comes back, no context is set", async () => {
    const key = Symbol.for("llmops.span-context.v1");
    expect(withSession("s", () => context.active().getValue(key))).toBeUndefined();
    const { platform, exporter } = memoryPlatform();
    registerPlatform(platform);
    const tracing = await getPlatform("memory").instrument({ appRoot, env: {}, flushOnExit: false, config: { service: { name: "svc" } } });
    expect(withSession("s", () => context.active().getValue(key))).toBeDefined();
    await tracing.shutdown();
    const object = {};
    expect(withContext({ sessionId: "s", tags: ["t"] }, () => [object, context.active().getValue(key)])).toEqual([object, undefined]);
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
