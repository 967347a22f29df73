// An app traced by llmops (built dist) in an environment that also holds generic OpenTelemetry exporter variables,
// as a Kubernetes cluster sets them for every pod. CREDENTIALS_SCENARIO (JSON) names the platform and the explicit
// overrides; the config file is the app root's llmops.yaml (the working directory). It ends the scenario's spans,
// flushes, shuts down, and prints one line `CREDENTIALS-RESULT <json>`; llmops's warnings go to the console as usual.
"use strict";
const { join } = require("node:path");

const packages = join(__dirname, "..", "..", "..", "packages");
const scenario = JSON.parse(process.env.CREDENTIALS_SCENARIO);

const unhandled = [];
process.on("unhandledRejection", (reason) => unhandled.push(`unhandledRejection: ${reason instanceof Error ? reason.message : String(reason)}`));
process.on("uncaughtException", (error) => unhandled.push(`uncaughtException: ${error.message}`));

async function main() {
  const platform = require(join(packages, `platform-${scenario.platform}`, "dist", "index.cjs"));
  const result = { unhandled };
  try {
    const handle = await platform.instrument({
      appRoot: process.cwd(),
      validationMode: "strict",
      global: false,
      flushOnExit: false,
      ...(scenario.overrides === undefined ? {} : { overrides: scenario.overrides }),
    });
    result.active = handle.active;
    const tracer = handle.tracerProvider.getTracer("credentials-app");
    for (const name of scenario.spans ?? []) tracer.startSpan(name).end();
    result.flush = await handle.forceFlush({ timeoutMillis: 8_000 });
    result.shutdown = await handle.shutdown({ timeoutMillis: 8_000 });
  } catch (error) {
    result.threw = `${error.name}: ${error.message}`;
  }
  process.stdout.write(`CREDENTIALS-RESULT ${JSON.stringify(result)}\n`);
}

void main();
