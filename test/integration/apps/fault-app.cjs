// An app traced by llmops (built dist) while something goes wrong: the backend, an instrumentor or the exporter.
// FAULT_SCENARIO (JSON) says what to do; FAULT_SECRET is the API key it configures, which must never be printed.
// It listens for unhandled rejections and uncaught exceptions, counts errors its own calls threw, and prints one line
// `FAULT-RESULT <json>` with what it saw: instrumentation report, flush results (and how long each took), stats();
// then, as the process exits, `EXIT-STATS <json>` with stats() at that moment.
"use strict";
const { createRequire } = require("node:module");
const { join } = require("node:path");

const packages = join(__dirname, "..", "..", "..", "packages");
const core = require(join(packages, "core", "dist", "index.cjs"));
const scenario = JSON.parse(process.env.FAULT_SCENARIO);
const secret = process.env.FAULT_SECRET;

const unhandled = [];
process.on("unhandledRejection", (reason) => unhandled.push(`unhandledRejection: ${reason instanceof Error ? reason.message : String(reason)}`));
process.on("uncaughtException", (error) => unhandled.push(`uncaughtException: ${error.message}`));
const appErrors = [];

/** Runs one call of the app; an exception is the SDK leaking into the app, recorded, never fatal here. */
function guarded(label, call) {
  try {
    return call();
  } catch (error) {
    appErrors.push(`${label}: ${error.message}`);
    return undefined;
  }
}

async function timed(label, call) {
  const started = Date.now();
  try {
    const result = await call();
    return { ...result, millis: Date.now() - started };
  } catch (error) {
    appErrors.push(`${label} rejected: ${error.message}`);
    return { rejected: error.message, millis: Date.now() - started };
  }
}

const exported = [];

/** The platforms of the scenarios: Arize as published, or a fixture registered in code. */
function startTracing() {
  const options = { flushOnExit: scenario.flushOnExitMillis === undefined ? true : { timeoutMillis: scenario.flushOnExitMillis }, validationMode: "strict" };
  if (scenario.platform === "arize") {
    const arize = require(join(packages, "platform-arize", "dist", "index.cjs"));
    const section = { endpoint: scenario.endpoint, api_key: secret, project_name: "faults", timeout_ms: scenario.timeoutMillis ?? 2_000 };
    return arize.instrument({ ...options, config: { service: { name: "fault-app" }, arize: section } });
  }
  const v = require(createRequire(join(packages, "core", "package.json")).resolve("valibot"));
  const exporters = {
    memory: {
      export: (spans, done) => {
        exported.push(...spans.map((span) => span.name));
        done({ code: 0 });
      },
      shutdown: () => Promise.resolve(),
    },
    throwing: {
      export: () => {
        throw new Error("exporter exploded");
      },
      shutdown: () => Promise.resolve(),
    },
  };
  core.registerPlatform(
    core.definePlatform({
      name: "fixture",
      configSection: "fixture",
      packageName: "fixture-llmops-platform",
      schema: v.object({ api_key: v.string() }),
      instrumentors: (scenario.instrumentors ?? []).map((spec) => ({ ...spec, exportName: "Instrumentation" })),
      createTracerProvider: ({ assembleTracerProvider }) =>
        assembleTracerProvider({ exporters: [scenario.platform === "throwing-exporter" ? exporters.throwing : exporters.memory], exportTarget: "the fixture backend" }),
    }),
  );
  return core.getPlatform("fixture").instrument({ ...options, appRoot: scenario.appRoot, config: { service: { name: "fault-app" }, fixture: { api_key: secret } } });
}

async function main() {
  const requireFromApp = scenario.appRoot === undefined ? undefined : createRequire(join(scenario.appRoot, "package.json"));
  // Loaded before instrument(): their instrumentors load and patch them at instrument() time.
  const modules = {};
  for (const name of scenario.earlyModules ?? []) modules[name] = guarded(`require ${name}`, () => requireFromApp(name));
  const tracing = await startTracing();
  // The counts as the process ends: what the exit flush delivered, failed or gave up on.
  process.on("exit", () => process.stdout.write(`EXIT-STATS ${JSON.stringify(tracing.stats())}\n`));
  const tracer = tracing.tracerProvider.getTracer("fault-app");
  // The report is read at the end: an instrumentor that loads with its module later updates its entry.
  const result = { active: tracing.active, instrumentations: tracing.instrumentations, flushes: [], unhandled, appErrors };

  // Loaded after instrument(): their instrumentors load and patch them as they load, through core's require hook.
  for (const name of scenario.lateModules ?? []) modules[name] = guarded(`require ${name}`, () => requireFromApp(name));
  result.calls = Object.fromEntries(Object.entries(modules).map(([name, exports]) => [name, guarded(`call ${name}`, () => exports.call(name))]));

  for (const [index, phase] of (scenario.phases ?? []).entries()) {
    if (phase.pauseMillis !== undefined) await new Promise((resolve) => setTimeout(resolve, phase.pauseMillis));
    guarded(`phase ${index}`, () => {
      for (let span = 0; span < phase.spans; span++) tracer.startSpan(`phase${index}-${span}`, { attributes: { "app.phase": index } }).end();
    });
    if (phase.flushMillis !== undefined) {
      process.stdout.write(`FLUSHING ${index}\n`);
      result.flushes.push(await timed("forceFlush", () => tracing.forceFlush({ timeoutMillis: phase.flushMillis })));
    }
    if (phase.settleMillis !== undefined) await new Promise((resolve) => setTimeout(resolve, phase.settleMillis));
  }
  result.memory = { heapUsedMB: Math.round(process.memoryUsage().heapUsed / 1e6), rssMB: Math.round(process.memoryUsage().rss / 1e6) };

  if (scenario.finish === "shutdown") result.shutdown = await timed("shutdown", () => tracing.shutdown({ timeoutMillis: scenario.shutdownMillis ?? 5_000 }));
  result.stats = guarded("stats", () => tracing.stats());
  result.exported = exported;
  process.stdout.write(`FAULT-RESULT ${JSON.stringify(result)}\n`);
  if (scenario.finish === "signal") {
    // Like a server: alive until a signal ends it.
    globalThis.setInterval(() => {}, 1_000);
    process.stdout.write("READY\n");
  }
  // "shutdown" and "natural": the event loop empties and the process exits as it would without llmops.
}

main().catch((error) => {
  appErrors.push(`main: ${error.message}`);
  process.stdout.write(`FAULT-RESULT ${JSON.stringify({ unhandled, appErrors })}\n`);
});
