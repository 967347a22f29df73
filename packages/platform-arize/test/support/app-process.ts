/**
 * The app side of the transport tests: a Node process started by `startAppProcess` (through ts-node, loading
 * `@llmops/core` and `@llmops/platform-arize` from `src`). For each scenario it receives over IPC it resets the
 * process state (`resetProcessState`), captures diag (`captureDiag`), registers the Arize platform, runs
 * `getPlatform("arize").instrument()` with the scenario's options, ends spans, flushes, shuts down, and answers with
 * what happened: the handle, the flush results, every diag message, anything thrown or left uncaught.
 *
 * It runs outside jest on purpose: jest's module sandbox cannot run the OTLP/HTTP exporter (it loads `http`/`https`
 * with a dynamic `import()`, which jest supports only under `--experimental-vm-modules`), and jest's resolver finds
 * packages that plain Node would not (so a missing optional peer would go unnoticed). Here everything loads the way
 * it loads in a user's app.
 */
import "./src-aliases";
import { context, trace } from "@opentelemetry/api";
import { getPlatform, MissingDependencyError, registerPlatform } from "@llmops/core";
import type { InstrumentationHandle } from "@llmops/core";
import { platform } from "@llmops/platform-arize";
import { captureDiag } from "@llmops-internal/test-support";
import { resetProcessState } from "@llmops-internal/test-support/process-state";
import type { AppResult, AppScenario } from "./run-app";

let uncaught: string[] = [];
process.on("uncaughtException", (error) => uncaught.push(`uncaughtException: ${error.stack ?? String(error)}`));
process.on("unhandledRejection", (reason) => uncaught.push(`unhandledRejection: ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`));

async function run(scenario: AppScenario): Promise<AppResult> {
  resetProcessState();
  uncaught = [];
  const logs = captureDiag();
  const result: AppResult = { logs: logs.messages, flushes: [], uncaught };
  registerPlatform(platform);
  let handle: InstrumentationHandle;
  try {
    handle = await getPlatform("arize").instrument({
      appRoot: scenario.appRoot,
      env: scenario.env,
      config: scenario.config,
      global: false,
      flushOnExit: false,
      validationMode: scenario.validationMode,
    });
  } catch (error) {
    const thrown = error as Error;
    result.threw = {
      name: thrown.name,
      message: thrown.message,
      missingDependency: MissingDependencyError.isInstance(error),
      ...(MissingDependencyError.isInstance(error) ? { packageName: error.packageName, installCommand: error.installCommand } : {}),
    };
    return finish(result, logs);
  }

  result.active = handle.active;
  const tracer = handle.tracerProvider.getTracer("transport-test", "1.0.0");
  for (const step of scenario.steps) {
    for (const name of step.emit ?? []) tracer.startSpan(name, { attributes: { "test.span": name, "test.number": 42, "test.flag": true } }).end();
    if (step.nested !== undefined) {
      const [parentName, childName] = step.nested;
      const parent = tracer.startSpan(parentName);
      tracer.startSpan(childName, {}, trace.setSpan(context.active(), parent)).end();
      parent.end();
    }
    if (step.flush === true) {
      try {
        result.flushes.push(await handle.forceFlush({ timeoutMillis: 8_000 }));
      } catch (error) {
        result.flushes.push({ ok: false, timedOut: false, error: `forceFlush rejected: ${(error as Error).message}` });
        result.flushRejected = true;
      }
    }
  }
  result.shutdown = await handle.shutdown({ timeoutMillis: 8_000 });
  return finish(result, logs);
}

async function finish(result: AppResult, logs: { restore(): void }): Promise<AppResult> {
  // Let anything the exporter still has in flight (callbacks, late rejections) land in this scenario's record.
  await new Promise((resolve) => setTimeout(resolve, 20));
  logs.restore();
  resetProcessState();
  return { ...result, logs: [...result.logs], uncaught: [...result.uncaught] };
}

interface Request {
  readonly id: number;
  readonly scenario: AppScenario;
}

process.on("message", (message: Request) => {
  run(message.scenario).then(
    (result) => process.send?.({ id: message.id, result }),
    (error: unknown) => process.send?.({ id: message.id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
// The test file is done with this app: keep-alive sockets of the exporter must not keep it running.
process.on("disconnect", () => process.exit(0));
process.send?.({ ready: true });
