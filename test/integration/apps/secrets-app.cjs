// An app traced by llmops (built dist) whose configuration and environment are full of credentials, driven into an
// error path: SECRETS_SCENARIO (JSON) names the platform, its section and the validation mode. It prints everything a
// user could see of what went wrong (the thrown error as the console shows it, its issues, the handle's issues,
// flush and shutdown results, stats()) as one line `SECRETS-RESULT <json>`; llmops itself logs at level ALL.
"use strict";
const { inspect } = require("node:util");
const { join } = require("node:path");

const packages = join(__dirname, "..", "..", "..", "packages");
const scenario = JSON.parse(process.env.SECRETS_SCENARIO);

const unhandled = [];
process.on("unhandledRejection", (reason) => unhandled.push(`unhandledRejection: ${inspect(reason)}`));
process.on("uncaughtException", (error) => unhandled.push(`uncaughtException: ${inspect(error)}`));

async function main() {
  const platform = require(join(packages, `platform-${scenario.platform}`, "dist", "index.cjs"));
  const result = { unhandled };
  let tracing;
  try {
    tracing = await platform.instrument({
      validationMode: scenario.mode,
      flushOnExit: false,
      config: { service: { name: "secrets-app" }, [scenario.platform]: scenario.section },
    });
  } catch (error) {
    // What `console.error(error)` would print: message, stack, cause chain and own properties (issues).
    result.thrown = { message: error.message, inspected: inspect(error, { depth: 6 }), issues: error.issues };
    process.stdout.write(`SECRETS-RESULT ${JSON.stringify(result)}\n`);
    return;
  }
  result.active = tracing.active;
  result.issues = tracing.issues;
  const tracer = tracing.tracerProvider.getTracer("secrets-app");
  for (let index = 0; index < 3; index++) tracer.startSpan(`span-${index}`).end();
  result.flush = await tracing.forceFlush({ timeoutMillis: scenario.flushMillis ?? 8_000 });
  result.stats = tracing.stats();
  result.shutdown = await tracing.shutdown({ timeoutMillis: 3_000 });
  process.stdout.write(`SECRETS-RESULT ${JSON.stringify(result)}\n`);
}

main().catch((error) => {
  process.stdout.write(`SECRETS-RESULT ${JSON.stringify({ unhandled, main: inspect(error) })}\n`);
});
