import { trace } from "@opentelemetry/api";
import type { TracerProvider } from "@opentelemetry/api";
import { ConfigurationError, definePlatform, getActiveInstrumentation, getPlatform, MissingDependencyError, registerPlatform } from "@llmops/core";
import * as v from "valibot";
import { captureDiag, createTempApp } from "@llmops-internal/test-support";
import { resetProcessState } from "@llmops-internal/test-support/process-state";
import { memoryPlatform } from "./helpers";
import type { CapturedLogs } from "@llmops-internal/test-support";

describe("instrument()", () => {
  let logs: CapturedLogs;
  const appRoot = createTempApp({ manifest: { name: "pipeline-app" } });
  const base = { appRoot, env: {}, flushOnExit: false as const };

  beforeEach(() => {
    resetProcessState();
    logs = captureDiag();
  });

  it("builds the provider with the service resource, registers it globally, and flushes spans to the platform", async () => {
    const { platform, exporter } = memoryPlatform();
    registerPlatform(platform);
    const tracing = await getPlatform("memory").instrument({ ...base, config: { service: { name: "svc", version: 2, environment: "test" } } });
    expect(tracing).toEqual(expect.objectContaining({ platform: "memory", active: true, issues: [], configFile: undefined }));
    trace.getTracer("test").startSpan("through-the-global-api").end();
    tracing.tracerProvider.getTracer("test").startSpan("through-the-handle").end();
    const counts = { spansEnded: 2, spansExported: 2, spansFailedExport: 0, spansDroppedQueueFull: 0, spansDroppedAfterShutdown: 0, spansPending: 0, spansSampledOut: 0, unpricedModels: {} };
    expect(await tracing.forceFlush()).toEqual({ ok: true, timedOut: false, stats: counts });
    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => span.name)).toEqual(["through-the-global-api", "through-the-handle"]);
    expect(spans[0]?.resource.attributes).toEqual(
      expect.objectContaining({ "service.name": "svc", "service.version": "2", "deployment.environment.name": "test", "telemetry.sdk.language": "nodejs" }),
    );
    expect(await tracing.shutdown()).toEqual({ ok: true, timedOut: false, stats: counts });
    expect(await tracing.forceFlush()).toEqual({ ok: true, timedOut: false, stats: counts });
    expect(tracing.stats()).toEqual(counts);
  });

  it("leaves the globals alone with global: false", async () => {
    const { platform, exporter } = memoryPlatform();
    registerPlatform(platform);
    const tracing = await getPlatform("memory").instrument({ ...base, global: false, config: { service: { name: "svc" } } });
    trace.getTracer("test").startSpan("global").end();
    tracing.tracerProvider.getTracer("test").startSpan("own").end();
    await tracing.forceFlush();
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(["own"]);
  });

  it("returns the first handle on a second call, with one warning", async () => {
    const { platform } = memoryPlatform();
    registerPlatform(platform);
    const first = await getPlatform("memory").instrument({ ...base, global: false, config: { service: { name: "svc" } } });
    const second = await getPlatform("memory").instrument({ ...base, config: { service: { name: "other" } } });
    await getPlatform("memory").instrument(base);
    expect(second).toBe(first);
    expect(logs.messages.filter((message) => message.includes("already called"))).toHaveLength(1);
  });

  it("gives a no-op handle for OTEL_SDK_DISABLED=true", async () => {
    const { platform } = memoryPlatform();
    registerPlatform(platform);
    const tracing = await getPlatform("memory").instrument({ ...base, env: { OTEL_SDK_DISABLED: "true" }, config: { service: { name: "svc" } } });
    expect(tracing.active).toBe(false);
    expect(await tracing.forceFlush()).toEqual({ ok: true, timedOut: false });
  });

  it("in strict mode throws one ConfigurationError listing every issue, and a corrected call then works", async () => {
    const { platform } = memoryPlatform();
    registerPlatform(platform);
    const invalid = { service: { name: "" }, memory: { batch: "yes", label: 3 } };
    const attempt = getPlatform("memory").instrument({ ...base, validationMode: "strict", config: invalid });
    await expect(attempt).rejects.toThrow(ConfigurationError);
    const error = (await attempt.catch((caught: unknown) => caught)) as ConfigurationError;
    expect(error.issues.map((issue) => issue.path)).toEqual(["service.name", "memory.label", "memory.batch"]);
    expect(error.message).toContain('Invalid llmops configuration for platform "memory" (3 issues)');
    const corrected = await getPlatform("memory").instrument({ ...base, global: false, validationMode: "strict", config: { service: { name: "ok" } } });
    expect(corrected.active).toBe(true);
  });

  it("honours validation.mode: strict from the file and LLMOPS_VALIDATION_MODE", async () => {
    const { platform } = memoryPlatform();
    registerPlatform(platform);
    await expect(getPlatform("memory").instrument({ ...base, config: { service: { name: "" }, validation: { mode: "strict" } } })).rejects.toThrow(ConfigurationError);
    await expect(getPlatform("memory").instrument({ ...base, env: { LLMOPS_VALIDATION_MODE: "strict" }, config: { service: { name: "" } } })).rejects.toThrow(ConfigurationError);
  });

  it("in permissive mode warns once with every issue and returns a safe no-op handle, printing no secret", async () => {
    const { platform } = memoryPlatform();
    registerPlatform(platform);
    const tracing = await getPlatform("memory").instrument({
      ...base,
      env: { MEMORY_API_KEY: "sk-live-abcdef" },
      config: { service: { name: 5 }, memory: { api_key: "sk-inline-123456", batch: "no" } },
    });
    expect(tracing.active).toBe(false);
    expect(tracing.issues.map((issue) => issue.path)).toEqual(["service.name", "memory.batch"]);
    expect(await tracing.forceFlush()).toEqual({ ok: true, timedOut: false });
    expect(await tracing.shutdown()).toEqual({ ok: true, timedOut: false });
    const warnings = logs.messages.filter((message) => message.startsWith("warn"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("service.name: has the wrong type (expected string, received 5)");
    expect(warnings[0]).toContain("Tracing is off for this process");
    expect(logs.text()).not.toContain("sk-live");
    expect(logs.text()).not.toContain("sk-inline");
  });

  it("reports a missing platform dependency with its install line: warning when permissive, thrown when strict", async () => {
    const platform = definePlatform({
      ...memoryPlatform().platform,
      name: "needy",
      configSection: "needy",
      schema: v.object({}),
      checkDependencies: () => {
        throw new MissingDependencyError({ message: "needy needs grpc", packageName: "grpc-thing", installCommand: "npm install grpc-thing" });
      },
    });
    registerPlatform(platform);
    const tracing = await getPlatform("needy").instrument({ ...base, config: { service: { name: "x" } } });
    expect(tracing.active).toBe(false);
    expect(logs.text()).toContain("Install with: npm install grpc-thing");
    resetProcessState();
    registerPlatform(platform);
    await expect(getPlatform("needy").instrument({ ...base, validationMode: "strict", config: { service: { name: "x" } } })).rejects.toThrow(MissingDependencyError);
  });

  it("survives a platform whose provider factory throws", async () => {
    const exploding = definePlatform({
      ...memoryPlatform().platform,
      name: "exploding",
      configSection: "exploding",
      schema: v.object({}),
      createTracerProvider: () => Promise.reject(new Error("kaboom")),
    });
    registerPlatform(exploding);
    const tracing = await getPlatform("exploding").instrument({ ...base, config: { service: { name: "x" } } });
    expect(tracing.active).toBe(false);
    expect(logs.text()).toContain('Platform "exploding" could not create its TracerProvider: kaboom');
  });

  it("contains an unexpected failure inside a stage: a warning and a no-op handle, never a rejection", async () => {
    const { platform } = memoryPlatform();
    // A schema that throws (a bug in a platform, or a module that failed to load lazily) escapes validation.
    const broken = definePlatform({
      ...platform,
      schema: {
        ...v.object({}),
        "~run": () => {
          throw new Error("schema exploded");
        },
      } as never,
    });
    registerPlatform(broken);
    const tracing = await getPlatform("memory").instrument({ ...base, config: { service: { name: "x" } } });
    expect(tracing.active).toBe(false);
    expect(logs.text()).toContain("llmops could not start tracing: schema exploded");
    resetProcessState();
    registerPlatform(broken);
    await expect(getPlatform("memory").instrument({ ...base, validationMode: "strict", config: { service: { name: "x" } } })).rejects.toThrow("schema exploded");
  });

  it("resolves flush and shutdown with a report, never a rejection, when the provider fails or hangs", async () => {
    const fake = (forceFlush: () => Promise<void>, shutdown: () => Promise<void>) =>
      definePlatform({
        ...memoryPlatform().platform,
        name: "fake",
        configSection: "fake",
        schema: v.object({}),
        createTracerProvider: () => Promise.resolve({ getTracer: () => trace.getTracer("x"), forceFlush, shutdown }),
      });
    registerPlatform(
      fake(
        () => Promise.reject(new Error("backend down")),
        () => new Promise<void>(() => {}),
      ),
    );
    const tracing = await getPlatform("fake").instrument({ ...base, global: false, config: { service: { name: "x" } } });
    expect(await tracing.forceFlush({ timeoutMillis: 200 })).toEqual({ ok: false, timedOut: false, error: "backend down" });
    expect(await tracing.shutdown({ timeoutMillis: 200 })).toEqual({ ok: false, timedOut: true, error: "did not finish within 200 ms" });
    resetProcessState();
    registerPlatform(
      fake(
        () => {
          throw new Error("sync throw");
        },
        () => Promise.resolve(),
      ),
    );
    const second = await getPlatform("fake").instrument({ ...base, global: false, config: { service: { name: "x" } } });
    expect(await second.forceFlush()).toEqual({ ok: false, timedOut: false, error: "sync throw" });
  });

  it("honours OTEL_BSP_* through the batch span processor", async () => {
    const saved = { ...process.env };
    process.env.OTEL_BSP_MAX_EXPORT_BATCH_SIZE = "2";
    process.env.OTEL_BSP_SCHEDULE_DELAY = "60000";
    try {
      const { platform, exporter } = memoryPlatform();
      registerPlatform(platform);
      const tracing = await getPlatform("memory").instrument({ ...base, global: false, config: { service: { name: "x" }, memory: { batch: true } } });
      const tracer = tracing.tracerProvider.getTracer("t");
      for (let index = 0; index < 5; index++) tracer.startSpan(`s${index}`).end();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(exporter.getFinishedSpans()).toHaveLength(4); // two full batches of 2; the fifth waits for the 60 s delay
      await tracing.forceFlush();
      expect(exporter.getFinishedSpans()).toHaveLength(5);
      await tracing.shutdown();
    } finally {
      process.env = saved;
    }
  });

  it("shows its warnings on the console when the app set no diag logger, at OTEL_LOG_LEVEL", async () => {
    logs.restore();
    const warn = jest.spyOn(console, "warn").mockImplementation(() => {});
    try {
      registerPlatform(memoryPlatform().platform);
      await getPlatform("memory").instrument({ ...base, config: { service: { name: 7 } } });
      expect(warn.mock.calls.map((call) => call.join(" ")).join("\n")).toContain("service.name: has the wrong type");
    } finally {
      warn.mockRestore();
    }
  });

  it("runs the platform's instrumentors with the provider and reports them", async () => {
    const app = createTempApp({
      dependencies: {
        "fake-instrumentation": {
          manifest: { main: "index.js" },
          files: { "index.js": "exports.Fake = class { constructor(c) { this.c = c; } enable() { globalThis.__fakeProvider = this.c.tracerProvider; } };" },
        },
      },
    });
    const { platform, exporter } = memoryPlatform({ instrumentors: [{ key: "fake", packageName: "fake-instrumentation", exportName: "Fake", moduleName: "fake" }] });
    registerPlatform(platform);
    // The app already imported the module and hands it in: the instrumentor loads now, with llmops's provider.
    const tracing = await getPlatform("memory").instrument({ ...base, appRoot: app, global: false, config: { service: { name: "x" } }, modules: { fake: {} } });
    // It has only enable(): its own hooks are on, and nothing llmops could see patched.
    expect(tracing.instrumentations).toEqual([expect.objectContaining({ key: "fake", packageName: "fake-instrumentation", status: "enabled", patchedModule: false })]);
    const given = (globalThis as { __fakeProvider?: TracerProvider }).__fakeProvider;
    given?.getTracer("fake").startSpan("from-the-instrumentor").end();
    await tracing.forceFlush();
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(["from-the-instrumentor"]);
  });
});

describe("instrument() after shutdown() or a failed start", () => {
  let logs: CapturedLogs;
  const appRoot = createTempApp({ manifest: { name: "lifecycle-app" } });
  const base = { appRoot, env: {}, flushOnExit: false as const };

  beforeEach(() => {
    resetProcessState();
    logs = captureDiag();
  });

  it("starts tracing anew after shutdown(): a new live handle, registered globally, and the instrumentors trace to it", async () => {
    const app = createTempApp({
      dependencies: {
        "fake-instrumentation": {
          manifest: { main: "index.js" },
          files: { "index.js": "exports.Fake = class { constructor(c) { this.c = c; } enable() { globalThis.__lifecycleProvider = this.c.tracerProvider; } };" },
        },
      },
    });
    const instrumentors = [{ key: "fake", packageName: "fake-instrumentation", exportName: "Fake", moduleName: "fake" }];
    const first = memoryPlatform({ instrumentors });
    registerPlatform(first.platform);
    const options = { ...base, appRoot: app, config: { service: { name: "x" } }, modules: { fake: {} } };
    const tracing = await getPlatform("memory").instrument(options);
    trace.getTracer("test").startSpan("before-shutdown").end();
    expect((await tracing.shutdown()).ok).toBe(true);

    const second = memoryPlatform({ instrumentors });
    registerPlatform(second.platform);
    const again = await getPlatform("memory").instrument(options);
    expect(again).not.toBe(tracing);
    expect({ active: again.active, issues: again.issues }).toEqual({ active: true, issues: [] });
    expect(await getActiveInstrumentation()).toBe(again);
    // Nothing is patched twice: the instrumentor built by the first call now sends to the second provider.
    expect(again.instrumentations.map((report) => report.status)).toEqual(["already-applied"]);
    trace.getTracer("test").startSpan("through-the-global-api").end();
    const instrumentorTracer = (globalThis as { __lifecycleProvider?: TracerProvider }).__lifecycleProvider?.getTracer("fake");
    instrumentorTracer?.startSpan("from-the-instrumentor").end();
    instrumentorTracer?.startActiveSpan("active-from-the-instrumentor", (span) => {
      instrumentorTracer.startSpan("its-child").end();
      span.end();
    });
    await again.forceFlush();
    const spans = second.exporter.getFinishedSpans();
    expect(spans.map((span) => span.name)).toEqual(["through-the-global-api", "from-the-instrumentor", "its-child", "active-from-the-instrumentor"]);
    expect(spans[2]?.parentSpanContext?.spanId).toBe(spans[3]?.spanContext().spanId);
    // The first provider exported its one span and took none after its shutdown.
    expect({ exported: tracing.stats().spansExported, dropped: tracing.stats().spansDroppedAfterShutdown }).toEqual({ exported: 1, dropped: 0 });
    // llmops's own first registration was undone, so the second one is not taken for the app's.
    expect(logs.text()).not.toContain("Another TracerProvider is already registered");
    await again.shutdown();
  });

  it("lets a corrected call start after a permissive failure, as in strict mode, warning once per problem", async () => {
    const { platform } = memoryPlatform();
    registerPlatform(platform);
    const failed = await getPlatform("memory").instrument({ ...base, config: { service: { name: 5 } } });
    expect(failed.active).toBe(false);
    // Until a new call starts, the failed handle is the one to ask why.
    expect((await getActiveInstrumentation())?.issues.map((issue) => issue.path)).toEqual(["service.name"]);
    const failedAgain = await getPlatform("memory").instrument({ ...base, config: { service: { name: 5 } } });
    expect(failedAgain.active).toBe(false);
    expect(logs.messages.filter((message) => message.startsWith("warn") && message.includes("service.name"))).toHaveLength(1);
    const corrected = await getPlatform("memory").instrument({ ...base, config: { service: { name: "fixed" } } });
    expect({ active: corrected.active, issues: corrected.issues }).toEqual({ active: true, issues: [] });
    await corrected.shutdown();
  });

  it("warns about a concurrent call for another platform even before any logger is set up", async () => {
    logs.restore();
    const warn = jest.spyOn(console, "warn").mockImplementation(() => {});
    try {
      registerPlatform(memoryPlatform().platform);
      registerPlatform(memoryPlatform({ name: "other" }).platform);
      // Same tick: the first pipeline has not reached the step that installs the console logger.
      const first = getPlatform("memory").instrument({ ...base, config: { service: { name: "x" } } });
      const second = getPlatform("other").instrument({ ...base, config: { service: { name: "x" } } });
      const [a, b] = await Promise.all([first, second]);
      expect(b).toBe(a);
      expect(a.platform).toBe("memory");
      const printed = warn.mock.calls.map((call) => call.join(" ")).join("\n");
      expect(printed).toContain('instrument() for platform "other" was called while platform "memory" is running');
      await a.shutdown();
    } finally {
      warn.mockRestore();
    }
  });
});
