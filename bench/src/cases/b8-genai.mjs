// B8: a Gemini generateContent call through the real @google/genai, untraced and traced by llmops's
// @llmops/instrumentation-google-genai, next to an openai chat completion untraced and traced by OpenInference's
// openai instrumentor (B1's canned client). Fresh processes, interleaved across rounds, each traced figure paired with
// the untraced one of its client in the same round. Then one more traced Gemini run under --cpu-prof: where the
// remaining time goes.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { childEnvironment, format, ratio, rotate, runChild, spread, summarize, table } from "../lib.mjs";

const CHILD = new URL("../b8-child.mjs", import.meta.url).pathname;
export const B8_SETUPS = ["genai-none", "genai-llmops", "openai-none", "openai-oi"];
const LABELS = {
  "genai-none": "@google/genai generateContent, no tracing",
  "genai-llmops": "@google/genai generateContent, @llmops/instrumentation-google-genai",
  "openai-none": "openai chat.completions.create, no tracing",
  "openai-oi": "openai chat.completions.create, @arizeai/openinference-instrumentation-openai",
};
const BASELINE = { "genai-llmops": "genai-none", "openai-oi": "openai-none" };

/** The newest @google/genai major a Node may run: 3.x declares Node 22 or later. */
const genaiModuleFor = (nodeVersion) => (Number(/^v(\d+)/.exec(nodeVersion)?.[1] ?? 0) >= 22 ? "@google/genai" : "google-genai-2");

async function runOnce(setup, { calls, warmup, execPath, nodeVersion, profileFile }) {
  const env = childEnvironment({
    BENCH_CALLS: String(calls),
    BENCH_WARMUP: String(warmup),
    BENCH_GENAI_MODULE: genaiModuleFor(nodeVersion),
    ...(profileFile === undefined ? {} : { BENCH_PROFILE_FILE: profileFile }),
  });
  const child = await runChild({ script: CHILD, args: [setup], execPath, env });
  const error = child.messages.find((message) => message.type === "error");
  const result = child.messages.find((message) => message.type === "result")?.result;
  if (error !== undefined || result === undefined) return { setup, failed: error?.error ?? `child exited ${child.code ?? child.signal} without a result. ${child.stderr.slice(-2000)}` };
  const traced = BASELINE[setup] !== undefined;
  const expected = traced ? warmup + calls : undefined;
  const verified = !traced || result.spans === expected;
  return {
    setup,
    verified,
    failed: verified ? undefined : `${result.spans} of ${expected} spans ended`,
    microsPerCall: (result.totalMillis * 1000) / calls,
    cpuMicrosPerCall: result.cpuMicros / calls,
    spans: result.spans,
    maxRssKb: result.maxRssKb,
  };
}

/** Self time of a `.cpuprofile` by where the code comes from, and the functions of the tracing path that cost most. */
export function summarizeProfile(profile) {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const self = new Map();
  for (let index = 0; index < profile.samples.length; index += 1) {
    const id = profile.samples[index];
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0));
  }
  const origin = (url, functionName) => {
    if (url.includes("instrumentation-google-genai")) return "@llmops/instrumentation-google-genai";
    if (url.includes("@opentelemetry")) return "@opentelemetry/* (api, context, SDK span)";
    if (url.includes("@arizeai")) return "@arizeai/openinference-*";
    if (url.includes("@google/genai") || url.includes("google-genai-")) return "@google/genai (the client)";
    if (functionName === "(garbage collector)") return "garbage collector";
    if (functionName === "(idle)" || functionName === "(program)") return "idle / program";
    if (url.startsWith("node:") || url === "") return "Node internals";
    return "other";
  };
  const byOrigin = new Map();
  const byFunction = new Map();
  let total = 0;
  for (const [id, micros] of self) {
    const node = nodes.get(id);
    if (node === undefined) continue;
    const { url, functionName, lineNumber } = node.callFrame;
    const from = origin(url, functionName);
    total += micros;
    byOrigin.set(from, (byOrigin.get(from) ?? 0) + micros);
    if (from === "@llmops/instrumentation-google-genai" || from.startsWith("@opentelemetry") || from.startsWith("@arizeai")) {
      const key = `${functionName || "(anonymous)"} (${from.split(" ")[0]}${url.includes("instrumentation-google-genai") ? `:${lineNumber + 1}` : ""})`;
      byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
    }
  }
  const share = (micros) => (total === 0 ? 0 : (100 * micros) / total);
  return {
    totalMillis: total / 1000,
    byOrigin: [...byOrigin].sort((a, b) => b[1] - a[1]).map(([name, micros]) => ({ name, millis: micros / 1000, percent: share(micros) })),
    topTracingFunctions: [...byFunction]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([name, micros]) => ({ name, millis: micros / 1000, percent: share(micros) })),
  };
}

/** Runs B8 on one Node binary. */
export async function runB8({ rounds, calls, warmup, execPath, nodeVersion, log }) {
  const runs = [];
  for (let round = 0; round < rounds; round += 1) {
    for (const setup of rotate(B8_SETUPS, round)) {
      const run = await runOnce(setup, { calls, warmup, execPath, nodeVersion });
      run.round = round;
      runs.push(run);
      log(`B8 ${nodeVersion} round ${round + 1}/${rounds} ${setup}: ${run.failed ? `FAILED ${run.failed.split("\n")[0]}` : `${format(run.microsPerCall, 1)} µs/call`}`);
    }
  }
  const summary = {};
  for (const setup of B8_SETUPS) {
    const mine = runs.filter((run) => run.setup === setup && !run.failed);
    const base = BASELINE[setup];
    const overheads = [];
    const cpuOverheads = [];
    for (const run of mine) {
      const paired = runs.find((other) => other.setup === base && other.round === run.round && !other.failed);
      if (paired === undefined) continue;
      overheads.push(run.microsPerCall - paired.microsPerCall);
      cpuOverheads.push(run.cpuMicrosPerCall - paired.cpuMicrosPerCall);
    }
    summary[setup] = {
      label: LABELS[setup],
      rounds: runs.filter((run) => run.setup === setup).length,
      verifiedRounds: mine.length,
      failures: runs.filter((run) => run.setup === setup && run.failed).map((run) => run.failed),
      microsPerCall: summarize(mine.map((run) => run.microsPerCall)),
      cpuMicrosPerCall: summarize(mine.map((run) => run.cpuMicrosPerCall)),
      overheadMicros: base === undefined ? undefined : summarize(overheads),
      cpuOverheadMicros: base === undefined ? undefined : summarize(cpuOverheads),
    };
  }
  // One more traced Gemini run with its measured loop under the V8 profiler, for where the remaining time goes.
  let profile;
  const directory = mkdtempSync(join(tmpdir(), "llmops-b8-profile-"));
  try {
    const file = join(directory, "genai-llmops.cpuprofile");
    const profiled = await runOnce("genai-llmops", { calls, warmup, execPath, nodeVersion, profileFile: file });
    if (!profiled.failed && existsSync(file)) profile = summarizeProfile(JSON.parse(readFileSync(file, "utf8")));
    else log(`B8 ${nodeVersion}: no CPU profile (${profiled.failed ?? "no profile written"})`);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
  return { nodeVersion, genaiModule: genaiModuleFor(nodeVersion), calls, warmup, rounds, summary, profile, runs };
}

export function b8Tables(result) {
  const { summary } = result;
  const rows = B8_SETUPS.map((setup) => {
    const entry = summary[setup];
    if (entry.verifiedRounds === 0) return [entry.label, `FAILED: ${(entry.failures[0] ?? "no run").split("\n")[0].slice(0, 160)}`, "", "", "", ""];
    return [
      entry.label,
      spread(entry.microsPerCall, 1),
      entry.overheadMicros === undefined ? "–" : spread(entry.overheadMicros, 1),
      spread(entry.cpuMicrosPerCall, 1),
      entry.cpuOverheadMicros === undefined ? "–" : spread(entry.cpuOverheadMicros, 1),
      `${entry.verifiedRounds}/${entry.rounds}`,
    ];
  });
  const ours = summary["genai-llmops"]?.overheadMicros?.median;
  const theirs = summary["openai-oi"]?.overheadMicros?.median;
  const oursCpu = summary["genai-llmops"]?.cpuOverheadMicros?.median;
  const theirsCpu = summary["openai-oi"]?.cpuOverheadMicros?.median;
  const parts = [
    `B8 per call, Node ${result.nodeVersion} (${result.genaiModule === "@google/genai" ? "@google/genai 3.x" : "@google/genai 2.x"}): ${format(result.calls)} calls after ${format(result.warmup)} warm-up, ${result.rounds} rounds; median (min–max); spans end in a counting processor (no export)`,
    table(["setup", "wall µs/call", "wall overhead µs/call", "CPU µs/call", "CPU overhead µs/call", "verified rounds"], rows),
    `Added overhead, llmops's Gemini instrumentation ÷ OpenInference's openai instrumentor: wall ${ratio(ours, theirs)}, CPU ${ratio(oursCpu, theirsCpu)}`,
  ];
  if (result.profile !== undefined) {
    parts.push(
      `CPU profile of the measured loop of one traced Gemini run (${format(result.profile.totalMillis)} ms of samples), self time by origin`,
      table(
        ["origin", "ms", "%"],
        result.profile.byOrigin.map((entry) => [entry.name, format(entry.millis), format(entry.percent, 1)]),
      ),
      "The tracing path's costliest functions (self time)",
      table(
        ["function", "ms", "%"],
        result.profile.topTracingFunctions.map((entry) => [entry.name, format(entry.millis), format(entry.percent, 1)]),
      ),
    );
  }
  return parts.join("\n\n");
}
