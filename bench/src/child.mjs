// One measured process: starts one tracing setup and runs one benchmark case in it, reporting to the parent over IPC.
// argv: <case: b1|b3|b4|b5> <setup> ; the rest comes in BENCH_* environment variables.
import { performance } from "node:perf_hooks";
import { clearInterval, setImmediate, setInterval } from "node:timers";
import { chat, createClient } from "./canned-openai.mjs";
import { startTraceSetup, startTracing } from "./setups.mjs";

const [benchCase, setupName] = process.argv.slice(2);
const env = process.env;
const url = env.BENCH_SINK_URL;
const appRoot = env.BENCH_APP_ROOT;

const send = (message) => new Promise((resolve) => process.send(message, () => resolve()));
const cpuMicros = (since) => {
  const usage = process.cpuUsage(since);
  return usage.user + usage.system;
};
const yieldTurn = () => new Promise((resolve) => setImmediate(resolve));

async function perCall() {
  const warmup = Number(env.BENCH_WARMUP);
  const calls = Number(env.BENCH_CALLS);
  const setup = await startTracing(setupName, { url, appRoot });
  const client = createClient(setup.require("openai"));
  for (let index = 0; index < warmup; index += 1) await chat(client);
  const warmupFlush = await setup.flush(60_000);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let index = 0; index < calls; index += 1) await chat(client);
  const loopMillis = performance.now() - started;
  const flush = await setup.flush(60_000);
  const totalMillis = performance.now() - started;
  const cpu = cpuMicros(cpuBefore);
  return {
    warmup,
    calls,
    loopMillis,
    totalMillis,
    cpuMicros: cpu,
    warmupFlush,
    flush,
    stats: setup.stats(),
    localCount: setup.localCount(),
    memory: process.memoryUsage(),
    maxRssKb: process.resourceUsage().maxRSS,
  };
}

async function exportThroughput() {
  const spans = Number(env.BENCH_SPANS);
  const mode = env.BENCH_MODE;
  const yieldEvery = Number(env.BENCH_YIELD_EVERY);
  const setup = await startTracing(setupName, { url, appRoot });
  const tracer = setup.tracer;
  const attributes = { "bench.index": 0, "llm.model_name": "gpt-4o-mini", "llm.token_count.total": 21, "openinference.span.kind": "LLM", "output.value": "Hello! How can I help you today?" };
  // Warm the pipeline up (module loads, first connection) with a few spans that are flushed before the clock starts.
  for (let index = 0; index < 10; index += 1) tracer.startSpan("bench-warmup", { attributes }).end();
  const warmupFlush = await setup.flush(60_000);
  const statsBefore = setup.stats();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let index = 0; index < spans; index += 1) {
    tracer.startSpan("bench-span", { attributes }).end();
    if (mode === "yield" && index % yieldEvery === yieldEvery - 1) await yieldTurn();
  }
  const loopMillis = performance.now() - started;
  const flush = await setup.flush(120_000);
  const totalMillis = performance.now() - started;
  return {
    spans,
    mode,
    yieldEvery,
    warmupSpans: 10,
    warmupFlush,
    loopMillis,
    totalMillis,
    cpuMicros: cpuMicros(cpuBefore),
    flush,
    statsBefore,
    stats: setup.stats(),
    memory: process.memoryUsage(),
    maxRssKb: process.resourceUsage().maxRSS,
  };
}

async function outage() {
  const rate = Number(env.BENCH_RATE);
  const setup = await startTracing(setupName, { url, appRoot });
  const client = createClient(setup.require("openai"));
  let calls = 0;
  let failedCalls = 0;
  let inFlight = 0;
  let running = true;
  const errors = new Set();
  // Steady load: `rate` calls a second, issued every 10 ms; a call that throws is user-visible harm, so it is counted.
  const tickMillis = 10;
  let owed = 0;
  const load = setInterval(() => {
    if (!running) return;
    owed += (rate * tickMillis) / 1000;
    while (owed >= 1) {
      owed -= 1;
      inFlight += 1;
      chat(client).then(
        () => {
          calls += 1;
          inFlight -= 1;
        },
        (error) => {
          failedCalls += 1;
          inFlight -= 1;
          errors.add(String(error?.message ?? error));
        },
      );
    }
  }, tickMillis);
  const sampler = setInterval(() => {
    const memory = process.memoryUsage();
    process.send({ type: "sample", calls, rss: memory.rss, heapUsed: memory.heapUsed, external: memory.external });
  }, 1000);
  const uncaught = [];
  process.on("uncaughtException", (error) => uncaught.push(String(error?.stack ?? error)));
  process.on("unhandledRejection", (error) => uncaught.push(`unhandledRejection: ${String(error?.stack ?? error)}`));
  await send({ type: "ready" });
  await new Promise((resolve) => {
    process.on("message", async (message) => {
      if (message.type === "mark") {
        await send({ type: "marked", name: message.name, calls, stats: setup.stats() });
      } else if (message.type === "flush") {
        const callsAtFlush = calls;
        const flush = await setup.flush(message.timeoutMillis);
        await send({ type: "flushed", callsAtFlush, flush, stats: setup.stats() });
      } else if (message.type === "stop") {
        running = false;
        clearInterval(load);
        while (inFlight > 0) await yieldTurn();
        const flush = await setup.flush(60_000);
        clearInterval(sampler);
        await send({
          type: "stopped",
          calls,
          failedCalls,
          errors: [...errors].slice(0, 5),
          uncaught: uncaught.slice(0, 5),
          flush,
          stats: setup.stats(),
          memory: process.memoryUsage(),
          maxRssKb: process.resourceUsage().maxRSS,
        });
        resolve();
      }
    });
  });
  return undefined;
}

// A no-op and an async function, each wrapped by the setup's tracing helper; the argument and the result are small
// strings, recorded as the span's input and output by every setup's defaults.
function noop(text) {
  return text;
}
async function asyncWork(text) {
  return text;
}

async function traceOverhead() {
  const warmup = Number(env.BENCH_WARMUP);
  const calls = Number(env.BENCH_CALLS);
  const setup = await startTraceSetup(setupName);
  const tracedNoop = setup.wrap(noop, "noop");
  const tracedAsync = setup.wrap(asyncWork, "async-work");
  const result = { warmup, calls };
  // Both loops yield to the event loop every YIELD_EVERY calls, as a server does between requests, so the batch
  // processor's exports run and its queue never fills (a full queue drops spans, which is cheaper and would flatter a
  // setup); the untraced setup yields the same way. Sync: the result is not awaited (OpenLLMetry's withTask returns a
  // promise even for a sync function; its span has ended by then all the same).
  const YIELD_EVERY = 100;
  const timeSync = async (count) => {
    const started = performance.now();
    for (let index = 0; index < count; index += 1) {
      tracedNoop("hello");
      if (index % YIELD_EVERY === YIELD_EVERY - 1) await yieldTurn();
    }
    return performance.now() - started;
  };
  const timeAsync = async (count) => {
    const started = performance.now();
    for (let index = 0; index < count; index += 1) {
      await tracedAsync("hello");
      if (index % YIELD_EVERY === YIELD_EVERY - 1) await yieldTurn();
    }
    return performance.now() - started;
  };
  await timeSync(warmup);
  result.noopNanosPerCall = ((await timeSync(calls)) * 1e6) / calls;
  await yieldTurn();
  await timeAsync(warmup);
  result.asyncNanosPerCall = ((await timeAsync(calls)) * 1e6) / calls;
  await setup.flush();
  result.spans = setup.spans();
  result.maxRssKb = process.resourceUsage().maxRSS;
  return result;
}

try {
  const runners = { b1: perCall, b3: exportThroughput, b4: outage, b5: traceOverhead };
  const result = await runners[benchCase]();
  if (result !== undefined) await send({ type: "result", result });
} catch (error) {
  await send({ type: "error", error: String(error?.stack ?? error) });
}
process.exit(0);
