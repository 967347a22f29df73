// B6: what the privacy processor costs per span. A typical chat span (the attributes OpenInference's OpenAI
// instrumentation writes: request and response JSON, messages, model, token counts) is started and ended through
// llmops's pipeline with no detector, with every built-in detector on (the span holds no personal data, as most do),
// and with every detector on and an email, a card number and an API key in the prompt and the answer (so finds are
// replaced and hashed). Each setup in fresh processes, interleaved across rounds; spans end behind the SDK's batch
// processor in an exporter that counts and discards. The privacy processor's cost is the difference to "off".
// This file is also the measured child: `node b6-privacy.mjs child <setup>`.
import { performance } from "node:perf_hooks";
import { setImmediate } from "node:timers";
import { fileURLToPath } from "node:url";
import { BENCH_ROOT, childEnvironment, format, rotate, runChild, spread, summarize, table } from "../lib.mjs";

export const B6_SETUPS = ["off", "on", "on-with-pii"];
const LABELS = { off: "privacy off (no detector)", on: "all detectors on, no personal data in the span", "on-with-pii": "all detectors on, email + card + API key in the span" };
/** The bound the privacy processor is held to, per span. */
const GOAL_MICROS = 20;

/** The attributes of a chat completion span as OpenInference's OpenAI instrumentation writes them. */
function chatSpanAttributes(withPii) {
  const question = withPii
    ? "Hi, I'm Jane (jane.doe@example.com). Please charge my card 4111 1111 1111 1111 and use the key sk-proj-Qx7Lm2Nc9Rt4Vb8Wy3Zk6Hs1Jd5Fg0Ap for the integration."
    : "Hi! Could you summarise the three main points of our refund policy for orders placed before 2024-03-01, and say which of them applies to order ORD-2024-000123?";
  const answer = withPii
    ? "Done: I charged the card 4111 1111 1111 1111 and sent the receipt to jane.doe@example.com. Please rotate sk-proj-Qx7Lm2Nc9Rt4Vb8Wy3Zk6Hs1Jd5Fg0Ap, it was shared in clear."
    : "Sure. 1) Refunds are possible within 30 days of delivery. 2) Items must be unused and in their original packaging. 3) Shipping costs are refunded only for faulty items. Order ORD-2024-000123 was delivered 12 days ago, so the first rule applies: it can be refunded in full.";
  const system = "You are a helpful customer-support assistant for an online shop. Answer briefly, in the customer's language, and never invent order details.";
  const messages = [
    { role: "system", content: system },
    { role: "user", content: question },
  ];
  return {
    "openinference.span.kind": "LLM",
    "llm.system": "openai",
    "llm.provider": "openai",
    "llm.model_name": "gpt-4o-mini-2024-07-18",
    "llm.invocation_parameters": JSON.stringify({ model: "gpt-4o-mini", temperature: 0.2, max_tokens: 256 }),
    "input.value": JSON.stringify({ model: "gpt-4o-mini", messages, temperature: 0.2, max_tokens: 256 }),
    "input.mime_type": "application/json",
    "llm.input_messages.0.message.role": "system",
    "llm.input_messages.0.message.content": system,
    "llm.input_messages.1.message.role": "user",
    "llm.input_messages.1.message.content": question,
    "output.value": JSON.stringify({
      id: "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
      object: "chat.completion",
      created: 1741569952,
      model: "gpt-4o-mini-2024-07-18",
      choices: [{ index: 0, message: { role: "assistant", content: answer }, finish_reason: "stop" }],
      usage: { prompt_tokens: 62, completion_tokens: 58, total_tokens: 120 },
    }),
    "output.mime_type": "application/json",
    "llm.output_messages.0.message.role": "assistant",
    "llm.output_messages.0.message.content": answer,
    "llm.token_count.prompt": 62,
    "llm.token_count.completion": 58,
    "llm.token_count.total": 120,
    "session.id": "session-7d0c0a52",
    "user.id": "user-42",
  };
}

async function child(setup) {
  const { definePlatform, getPlatform, registerPlatform } = await import("@llmops/core");
  const v = await import("valibot");
  const spans = Number(process.env.BENCH_SPANS);
  const warmup = Number(process.env.BENCH_WARMUP);
  let exported = 0;
  const exporter = {
    export: (batch, done) => {
      exported += batch.length;
      done({ code: 0 });
    },
    shutdown: () => Promise.resolve(),
    forceFlush: () => Promise.resolve(),
  };
  registerPlatform(
    definePlatform({
      name: "bench-memory",
      configSection: "bench_memory",
      packageName: "@llmops-internal/bench-memory",
      schema: v.object({}),
      instrumentors: [],
      createTracerProvider: ({ assembleTracerProvider }) => assembleTracerProvider({ exporters: [exporter], batch: true }),
    }),
  );
  const privacy = setup === "off" ? {} : { detectors: { email: "hash", all: "redact" }, salt: "bench-salt-0123456789abcdef" };
  const tracing = await getPlatform("bench-memory").instrument({
    appRoot: BENCH_ROOT,
    env: {},
    global: false,
    flushOnExit: false,
    validationMode: "strict",
    config: { service: { name: "bench" }, privacy },
  });
  const tracer = tracing.tracerProvider.getTracer("bench");
  const attributes = chatSpanAttributes(setup === "on-with-pii");
  const yieldTurn = () => new Promise((resolve) => setImmediate(resolve));
  // A yield every 100 spans, as a server does between requests: the batch processor exports as it goes.
  const run = async (count) => {
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    for (let index = 0; index < count; index += 1) {
      tracer.startSpan("ChatCompletion", { attributes }).end();
      if (index % 100 === 99) await yieldTurn();
    }
    const cpu = process.cpuUsage(cpuBefore);
    return { millis: performance.now() - started, cpuMicros: cpu.user + cpu.system };
  };
  await run(warmup);
  const { millis, cpuMicros } = await run(spans);
  await tracing.forceFlush();
  const sample = exported;
  await tracing.shutdown();
  return { spans, warmup, nanosPerSpan: (millis * 1e6) / spans, cpuNanosPerSpan: (cpuMicros * 1000) / spans, exported: sample };
}

async function runOnce(setup, { spans, warmup, execPath }) {
  const result = await runChild({
    script: fileURLToPath(import.meta.url),
    args: ["child", setup],
    execPath,
    env: childEnvironment({ BENCH_SPANS: String(spans), BENCH_WARMUP: String(warmup) }),
  });
  const error = result.messages.find((message) => message.type === "error");
  const value = result.messages.find((message) => message.type === "result")?.result;
  if (error !== undefined || value === undefined) return { setup, failed: error?.error ?? `child exited ${result.code ?? result.signal} without a result. ${result.stderr.slice(-2000)}` };
  // Every span ended must have reached the exporter: a figure of a run that lost spans would flatter it.
  if (value.exported !== spans + warmup) return { setup, failed: `the exporter was handed ${value.exported} spans, ${spans + warmup} expected` };
  return { setup, nanosPerSpan: value.nanosPerSpan, cpuNanosPerSpan: value.cpuNanosPerSpan };
}

export async function runB6({ rounds, spans, warmup, execPath, log }) {
  const runs = [];
  for (let round = 0; round < rounds; round += 1) {
    for (const setup of rotate(B6_SETUPS, round)) {
      const run = await runOnce(setup, { spans, warmup, execPath });
      run.round = round;
      runs.push(run);
      log(`B6 round ${round + 1}/${rounds} ${setup}: ${run.failed ? `FAILED ${run.failed.split("\n")[0]}` : `${format(run.nanosPerSpan)} ns, ${format(run.cpuNanosPerSpan)} ns of CPU per span`}`);
    }
  }
  const summary = {};
  for (const setup of B6_SETUPS) {
    const good = runs.filter((run) => run.setup === setup && !run.failed);
    summary[setup] = {
      completedRounds: good.length,
      failures: runs.filter((run) => run.setup === setup && run.failed).map((run) => run.failed),
      nanosPerSpan: summarize(good.map((run) => run.nanosPerSpan)),
      cpuNanosPerSpan: summarize(good.map((run) => run.cpuNanosPerSpan)),
    };
  }
  return { spans, warmup, rounds, summary, runs };
}

export function b6Tables(result) {
  const { summary } = result;
  const cost = (setup, key) => {
    const base = summary.off?.[key]?.median;
    const value = summary[setup]?.[key]?.median;
    return base === undefined || value === undefined ? undefined : (value - base) / 1000;
  };
  const rows = B6_SETUPS.map((setup) => {
    const entry = summary[setup];
    if (entry === undefined || entry.completedRounds === 0) return [LABELS[setup], `FAILED: ${(entry?.failures[0] ?? "").split("\n")[0].slice(0, 160)}`, "", "", "", ""];
    if (setup === "off") return [LABELS[setup], spread(entry.nanosPerSpan), spread(entry.cpuNanosPerSpan), "", "", ""];
    const wall = cost(setup, "nanosPerSpan");
    const cpu = cost(setup, "cpuNanosPerSpan");
    const within = cpu === undefined ? "–" : cpu < GOAL_MICROS ? `yes (< ${GOAL_MICROS} µs)` : `NO (≥ ${GOAL_MICROS} µs)`;
    return [LABELS[setup], spread(entry.nanosPerSpan), spread(entry.cpuNanosPerSpan), wall === undefined ? "–" : `${format(wall, 1)} µs`, cpu === undefined ? "–" : `${format(cpu, 1)} µs`, within];
  });
  return `B6 privacy processor per span: ${format(result.spans)} typical chat spans after ${format(result.warmup)} warm-up, ${result.rounds} rounds; ns per span started and ended (wall clock and CPU time of the process), median (min–max); batch processor, spans counted and discarded. The privacy cost is the difference to "off"; on a busy machine the CPU-time figure is the steadier one.\n\n${table(
    ["setup", "ns/span", "CPU ns/span", "privacy cost per span (wall)", "privacy cost per span (CPU)", "CPU cost within goal"],
    rows,
  )}`;
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === "child") {
  const send = (message) => new Promise((resolve) => process.send(message, () => resolve()));
  try {
    await send({ type: "result", result: await child(process.argv[3]) });
  } catch (error) {
    await send({ type: "error", error: String(error?.stack ?? error) });
  }
  process.exit(0);
}
