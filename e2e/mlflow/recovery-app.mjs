// An app in permissive mode whose MLflow tracking server is down when it starts (LLMOPS_E2E_CONFIG's tracking_uri
// answers 503): it ends a span and flushes (the export fails: counted, warned), prints "flushed-while-down", waits
// for a line on stdin (the test brings the server back), ends a second span, flushes, shuts down and prints one JSON
// line.
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { trace } from "@opentelemetry/api";
import { getPlatform } from "@llmops/core";

const appRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const tracing = await getPlatform("mlflow", { appRoot }).instrument({
  appRoot,
  config: JSON.parse(process.env.LLMOPS_E2E_CONFIG),
  validationMode: "permissive",
  flushOnExit: false,
});
const tracer = trace.getTracer("llmops-e2e-recovery");
tracer.startSpan("while-down").end();
const down = await tracing.forceFlush();
process.stdout.write("flushed-while-down\n");
const lines = createInterface({ input: process.stdin });
await new Promise((resolve) => lines.once("line", resolve));
lines.close();
tracer.startSpan("after-recovery").end();
const up = await tracing.forceFlush();
const shutdown = await tracing.shutdown({ timeoutMillis: 20_000 });
process.stdout.write(`${JSON.stringify({ active: tracing.active, issues: tracing.issues, down, up, shutdown })}\n`);
