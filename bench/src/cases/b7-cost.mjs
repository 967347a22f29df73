// B7: what the cost processor (pricing:) costs per span. Each round runs two fresh processes with the same traced
// work, pricing on and pricing off, interleaved; the work is an AGENT span with one LLM child carrying a model
// name and token counts, as an instrumentor writes them, so the figure covers pricing the LLM span and adding its
// cost up on the agent. Spans end in an exporter that counts and discards (behind the SDK's batch processor), and a
// figure counts only when the exporter was handed every span and the agent carried the expected cost.
import { performance } from "node:perf_hooks";
import { setImmediate } from "node:timers";
import { fileURLToPath } from "node:url";
import { BENCH_ROOT, childEnvironment, format, rotate, runChild, spread, summarize, table } from "../lib.mjs";

const SETUPS = ["pricing-off", "pricing-on"];
const SPANS_PER_CALL = 2;
const MODEL = "gpt-4o-mini-2024-07-18";
// gpt-4o-mini in the built-in table: 0.15 / 0.60 per million tokens.
const EXPECTED_COST = (1200 * 0.15 + 300 * 0.6) / 1e6;

async function measure(setup, { calls, warmup }) {
  const v = await import("valibot");
  const { definePlatform, getPlatform, registerPlatform } = await import("@llmops/core");
  let exported = 0;
  let lastAgentCost;
  const exporter = {
    export(spans, done) {
      exported += spans.length;
      for (const span of spans) if (span.name === "agent") lastAgentCost = span.attributes["llm.cost.total"];
      done({ code: 0 });
    },
    shutdown: () => Promise.resolve(),
    forceFlush: () => Promise.resolve(),
  };
  registerPlatform(
    definePlatform({
      name: "b7",
      configSection: "b7",
      packageName: "@llmops-internal/bench",
      schema: v.optional(v.object({}), {}),
      instrumentors: [],
      createTracerProvider: ({ assembleTracerProvider }) => assembleTracerProvider({ exporters: [exporter], batch: true }),
    }),
  );
  const handle = await getPlatform("b7", { appRoot: BENCH_ROOT }).instrument({
    appRoot: BENCH_ROOT,
    flushOnExit: false,
    config: { service: { name: "llmops-bench" }, pricing: { enabled: setup === "pricing-on" } },
  });
  if (!handle.active) throw new Error(`llmops handle inactive: ${JSON.stringify(handle.issues)}`);
  const tracer = handle.tracerProvider.getTracer("b7");
  const { context, trace } = await import("@opentelemetry/api");
  const attributes = {
    "openinference.span.kind": "LLM",
    "llm.model_name": MODEL,
    "llm.token_count.prompt": 1200,
    "llm.token_count.completion": 300,
    "llm.token_count.total": 1500,
    "llm.token_count.prompt_details.cache_read": 0,
  };
  const call = () => {
    const agent = tracer.startSpan("agent", { attributes: { "openinference.span.kind": "AGENT" } });
    const llm = tracer.startSpan("llm", { attributes }, trace.setSpan(context.active(), agent));
    llm.end();
    agent.end();
  };
  const run = async (count) => {
    for (let index = 0; index < count; index += 1) {
      call();
      // Let the batch processor export now and then, as an app's event loop would.
      if (index % 100 === 99) await new Promise((resolve) => setImmediate(resolve));
    }
  };
  await run(warmup);
  await handle.forceFlush();
  // CPU time of the process rather than wall time: on a shared machine, other work stretches wall time, not CPU time.
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await run(calls);
  const loopNanos = (performance.now() - started) * 1e6;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuNanos = (cpu.user + cpu.system) * 1e3;
  await handle.forceFlush();
  await handle.shutdown();
  return { nanosPerSpan: cpuNanos / (calls * SPANS_PER_CALL), wallNanosPerSpan: loopNanos / (calls * SPANS_PER_CALL), spans: exported, agentCost: lastAgentCost };
}

async function runOnce(setup, { calls, warmup, execPath }) {
  const child = await runChild({
    script: fileURLToPath(import.meta.url),
    args: ["b7-child", setup],
    execPath,
    env: childEnvironment({ BENCH_CALLS: String(calls), BENCH_WARMUP: String(warmup) }),
  });
  const error = child.messages.find((message) => message.type === "error");
  const result = child.messages.find((message) => message.type === "result")?.result;
  if (error !== undefined || result === undefined) return { setup, failed: error?.error ?? `child exited ${child.code ?? child.signal} without a result. ${child.stderr.slice(-2000)}` };
  const expectedSpans = (calls + warmup) * SPANS_PER_CALL;
  const costOk = setup === "pricing-on" ? typeof result.agentCost === "number" && Math.abs(result.agentCost - EXPECTED_COST) < 1e-12 : result.agentCost === undefined;
  const failed =
    result.spans !== expectedSpans ? `the exporter was handed ${result.spans} spans, ${expectedSpans} expected` : costOk ? undefined : `the agent's llm.cost.total was ${result.agentCost}`;
  return { setup, failed, nanosPerSpan: result.nanosPerSpan, wallNanosPerSpan: result.wallNanosPerSpan, spans: result.spans, agentCost: result.agentCost };
}

export async function runB7({ rounds, calls, warmup, execPath, log }) {
  const runs = [];
  for (let round = 0; round < rounds; round += 1) {
    for (const setup of rotate(SETUPS, round)) {
      const run = await runOnce(setup, { calls, warmup, execPath });
      run.round = round;
      runs.push(run);
      log(`B7 round ${round + 1}/${rounds} ${setup}: ${run.failed ? `FAILED ${run.failed.split("\n")[0]}` : `${format(run.nanosPerSpan)} ns per span`}`);
    }
  }
  const summary = {};
  for (const setup of SETUPS) {
    const good = runs.filter((run) => run.setup === setup && !run.failed);
    summary[setup] = {
      completedRounds: good.length,
      failures: runs.filter((run) => run.setup === setup && run.failed).map((run) => run.failed),
      nanosPerSpan: summarize(good.map((run) => run.nanosPerSpan)),
    };
  }
  return { calls, warmup, rounds, summary, runs };
}

export function b7Tables(result) {
  const { summary } = result;
  const base = summary["pricing-off"]?.nanosPerSpan?.median;
  const rows = SETUPS.map((setup) => {
    const entry = summary[setup];
    if (entry === undefined || entry.completedRounds === 0) return [setup, `FAILED: ${(entry?.failures[0] ?? "").split("\n")[0].slice(0, 160)}`, ""];
    const own = entry.nanosPerSpan.median;
    return [setup, spread(entry.nanosPerSpan), setup === "pricing-off" || base === undefined ? "" : `${format(own - base)} ns`];
  });
  return `B7 cost processor per span: ${format(result.calls)} agent → LLM calls (${SPANS_PER_CALL} spans each) after ${format(result.warmup)} warm-up, ${result.rounds} rounds; CPU ns per span (the process's user + system time), median (min–max); spans end in an in-process exporter that counts and discards\n\n${table(
    ["setup", "CPU ns/span", "cost processor per span"],
    rows,
  )}`;
}

// As a child process: one setup, the result to the parent over IPC.
if (process.argv[2] === "b7-child" && process.send !== undefined) {
  const send = (message) => new Promise((resolve) => process.send(message, () => resolve()));
  try {
    const result = await measure(process.argv[3], { calls: Number(process.env.BENCH_CALLS), warmup: Number(process.env.BENCH_WARMUP) });
    await send({ type: "result", result });
  } catch (error) {
    await send({ type: "error", error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
  process.disconnect();
}
