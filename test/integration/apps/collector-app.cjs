// An app traced by @llmops/platform-otlp (built dist) that sends spans to an OpenTelemetry Collector.
// COLLECTOR_SCENARIO (JSON): { otlp: <section>, rounds: number, spansPerRound: number, pauseMillis: number }.
// Each round ends a small trace (an LLM span with OpenInference attributes under an agent span, and a span linked to
// the round's first trace) and flushes; it prints `ROUND <i> <flush json>` after each, then `COLLECTOR-RESULT <json>`
// with stats() after shutdown. The test may stop and restart the collector between rounds.
"use strict";
const { join } = require("node:path");

const packages = join(__dirname, "..", "..", "..", "packages");
const otlp = require(join(packages, "platform-otlp", "dist", "index.cjs"));
const { context, trace } = require(require.resolve("@opentelemetry/api", { paths: [join(packages, "platform-otlp")] }));
const scenario = JSON.parse(process.env.COLLECTOR_SCENARIO);

const unhandled = [];
process.on("unhandledRejection", (reason) => unhandled.push(`unhandledRejection: ${reason instanceof Error ? reason.message : String(reason)}`));
process.on("uncaughtException", (error) => unhandled.push(`uncaughtException: ${error.message}`));

const sleep = (millis) => new Promise((resolve) => setTimeout(resolve, millis));

async function main() {
  const tracing = await otlp.instrument({
    config: { service: { name: "collector-app", version: "1.2.3" }, otlp: scenario.otlp },
    // An app folder of the test's: it holds the gRPC exporter the platform resolves from the app.
    appRoot: process.env.COLLECTOR_APP_ROOT,
    validationMode: scenario.validationMode ?? "strict",
    flushOnExit: false,
  });
  const tracer = tracing.tracerProvider.getTracer("collector-app");
  let firstContext;
  const flushes = [];
  for (let round = 0; round < scenario.rounds; round++) {
    for (let i = 0; i < scenario.spansPerRound; i++) {
      const agent = tracer.startSpan("agent", { attributes: { "openinference.span.kind": "AGENT", "input.value": `question ${round}.${i}` } });
      if (firstContext === undefined) firstContext = agent.spanContext();
      const parent = trace.setSpan(context.active(), agent);
      const llm = tracer.startSpan(
        "ChatCompletion",
        {
          attributes: {
            "openinference.span.kind": "LLM",
            "llm.provider": "openai",
            "llm.model_name": "gpt-4o-mini",
            "llm.invocation_parameters": JSON.stringify({ temperature: 0.5, max_tokens: 32 }),
            "llm.input_messages.0.message.role": "user",
            "llm.input_messages.0.message.content": `question ${round}.${i}`,
            "llm.output_messages.0.message.role": "assistant",
            "llm.output_messages.0.message.content": "an answer",
            "llm.token_count.prompt": 11,
            "llm.token_count.completion": 3,
            "test.flag": true,
            "test.list": ["a", "b"],
            "test.round": round,
          },
          links: [{ context: firstContext, attributes: { "link.reason": "first question" } }],
        },
        parent,
      );
      llm.end();
      agent.end();
    }
    const flush = await tracing.forceFlush();
    flushes.push(flush);
    console.log(`ROUND ${round} ${JSON.stringify({ ok: flush.ok, stats: tracing.stats() })}`);
    if (scenario.pauseMillis) await sleep(scenario.pauseMillis);
  }
  const shutdown = await tracing.shutdown();
  console.log(`COLLECTOR-RESULT ${JSON.stringify({ active: tracing.active, flushes, shutdown: { ok: shutdown.ok }, stats: tracing.stats(), unhandled })}`);
}

main().catch((error) => {
  console.log(`COLLECTOR-RESULT ${JSON.stringify({ threw: error.message, unhandled })}`);
});
