// B8's measured process: one client call repeated N times after warm-up, untraced or traced by one instrumentation,
// reporting to the parent over IPC. argv: <setup>; BENCH_CALLS, BENCH_WARMUP and BENCH_GENAI_MODULE in the environment;
// with BENCH_PROFILE_FILE, the measured loop (not start-up or warm-up) runs under the V8 CPU profiler, written there.
//
// Both clients answer from an in-process canned fetch one event-loop turn later (B1's machinery), so the figures hold
// only the client and the instrumentation. The Gemini answer is the Gemini stand-in's own answer to the same request,
// fetched once at start-up. Traced setups end their spans into a counting processor (no export): what differs between
// the two instrumentations is the instrumentation itself.
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setImmediate } from "node:timers";
import { chat, createClient } from "./canned-openai.mjs";
import { BENCH_ROOT } from "./lib.mjs";

const [setup] = process.argv.slice(2);
const env = process.env;
const require = createRequire(join(BENCH_ROOT, "package.json"));
const send = (message) => new Promise((resolve) => process.send(message, () => resolve()));
const MODEL = "gemini-2.5-flash";
const PROMPT = "Say hello.";

/** The Gemini stand-in's answer to {@link generate}'s request, as the bytes the client would read. */
async function standInAnswer() {
  const { startGeminiStandIn } = await import("@llmops-internal/stand-ins");
  const standIn = await startGeminiStandIn();
  try {
    const response = await globalThis.fetch(`${standIn.url}/v1beta/models/${MODEL}:generateContent`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-goog-api-key": "bench" },
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: PROMPT }] }] }),
    });
    return await response.text();
  } finally {
    await standIn.close();
  }
}

function geminiClient(genai, body) {
  const cannedFetch = () =>
    new Promise((resolve) => {
      setImmediate(() => resolve(new globalThis.Response(body, { status: 200, headers: { "content-type": "application/json" } })));
    });
  return new genai.GoogleGenAI({ apiKey: "bench", httpOptions: { baseUrl: "http://gemini.bench.invalid", fetch: cannedFetch } });
}

function countingProcessor() {
  const processor = { ended: 0, onStart() {}, onEnd: () => (processor.ended += 1), forceFlush: () => Promise.resolve(), shutdown: () => Promise.resolve() };
  return processor;
}

async function tracerProvider() {
  const { NodeTracerProvider } = await import("@opentelemetry/sdk-trace-node");
  const counter = countingProcessor();
  const provider = new NodeTracerProvider({ spanProcessors: [counter] });
  provider.register();
  return { provider, counter };
}

async function main() {
  const warmup = Number(env.BENCH_WARMUP);
  const calls = Number(env.BENCH_CALLS);
  let call;
  let counter;
  if (setup === "openai-none" || setup === "openai-oi") {
    const openai = require("openai");
    if (setup === "openai-oi") {
      const traced = await tracerProvider();
      counter = traced.counter;
      const { OpenAIInstrumentation } = await import("@arizeai/openinference-instrumentation-openai");
      new OpenAIInstrumentation({ tracerProvider: traced.provider }).manuallyInstrument(openai);
    }
    const client = createClient(openai);
    call = () => chat(client);
  } else {
    const body = await standInAnswer();
    const genai = require(env.BENCH_GENAI_MODULE ?? "@google/genai");
    if (setup === "genai-llmops") {
      const traced = await tracerProvider();
      counter = traced.counter;
      const { GoogleGenAIInstrumentation } = await import("@llmops/instrumentation-google-genai");
      new GoogleGenAIInstrumentation({ tracerProvider: traced.provider }).manuallyInstrument(genai);
    }
    const client = geminiClient(genai, body);
    call = () => client.models.generateContent({ model: MODEL, contents: PROMPT });
  }
  for (let index = 0; index < warmup; index += 1) await call();
  const profiler = env.BENCH_PROFILE_FILE === undefined ? undefined : new Session();
  if (profiler !== undefined) {
    profiler.connect();
    await profiler.post("Profiler.enable");
    await profiler.post("Profiler.start");
  }
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let index = 0; index < calls; index += 1) await call();
  const totalMillis = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  if (profiler !== undefined) {
    const { profile } = await profiler.post("Profiler.stop");
    writeFileSync(env.BENCH_PROFILE_FILE, JSON.stringify(profile));
    profiler.disconnect();
  }
  return { calls, warmup, totalMillis, cpuMicros: cpu.user + cpu.system, spans: counter?.ended, maxRssKb: process.resourceUsage().maxRSS };
}

try {
  await send({ type: "result", result: await main() });
} catch (error) {
  await send({ type: "error", error: String(error?.stack ?? error) });
}
process.exit(0);
