// B2: start-up in fresh processes, in an app whose node_modules holds 1,000 packages: `import "@llmops/core"` alone,
// and time to a ready setup (tracing started, openai loaded, client built) for each setup, in a CommonJS-style app
// (openai required after tracing starts) and in an ES module app (openai imported, handed in as each tool's docs say;
// llmops also zero code under --import); peak memory (max RSS), CommonJS modules loaded and heap in use at ready.
import { startSink } from "../sink.mjs";
import { ensureStartupFixture } from "../fixture.mjs";
import { childEnvironment, format, ratio, rotate, runProcess, settle, spread, summarize, table } from "../lib.mjs";
import { SETUPS } from "../setups.mjs";

const CJS_MODES = ["none", "llmops", "phoenix-otel", "openllmetry", "otel-hand"];
const ESM_MODES = ["none@esm", "llmops@esm", "llmops@register", "phoenix-otel@esm", "openllmetry@esm", "otel-hand@esm"];
const MODES = ["import-core", ...CJS_MODES, ...ESM_MODES];
const REGISTER = "@llmops/platform-arize/register";

/** The no-tracing run a mode's start-up is compared with: the same module system. */
const baselineOf = (mode) => (mode.includes("@") ? "none@esm" : "none");
/** The hand-wired OpenTelemetry run of the same module system: the goal is measured against it. */
const handWiredOf = (mode) => (mode.includes("@") ? "otel-hand@esm" : "otel-hand");

function labelOf(mode) {
  if (mode === "import-core") return 'import "@llmops/core"';
  if (mode === "llmops@register") return `llmops, zero code (node --import ${REGISTER})`;
  const [setup, variant] = mode.split("@");
  return variant === "esm" ? `${SETUPS[setup]}, ES module app` : SETUPS[setup];
}

async function runOnce(mode, { root, execPath }) {
  const sink = await startSink();
  try {
    const register = mode.endsWith("@register");
    const child = await runProcess({
      command: execPath,
      args: ["--expose-gc", ...(register ? ["--import", REGISTER] : []), "app.mjs", mode],
      cwd: root,
      env: childEnvironment({ BENCH_SINK_URL: sink.url, ...(register ? { PHOENIX_COLLECTOR_ENDPOINT: sink.url, PHOENIX_PROJECT_NAME: "bench", LLMOPS_SERVICE_NAME: "llmops-bench" } : {}) }),
    });
    const line = child.stdout.trim().split("\n").at(-1);
    let result;
    try {
      result = JSON.parse(line);
    } catch {
      return { mode, failed: `exit ${child.code ?? child.signal}, no result: ${child.stderr.slice(-1000)}` };
    }
    const expected = mode === "import-core" || mode.startsWith("none") ? 0 : 1;
    const delivered = await settle(sink, { quietMillis: 200, timeoutMillis: 5_000 });
    const verified = delivered === expected;
    return {
      mode,
      ...result,
      verified,
      deliveredSpans: delivered,
      failed: verified ? undefined : `sink received ${delivered} of ${expected} spans (flush: ${JSON.stringify(result.flush)})`,
      stderr: child.stderr.trim().slice(0, 500) || undefined,
    };
  } finally {
    await sink.close();
  }
}

export async function runB2({ rounds, execPath, log }) {
  const fixture = ensureStartupFixture();
  // One unmeasured pass warms the file system cache, as a deployed app's second start would be.
  for (const mode of MODES) await runOnce(mode, { root: fixture.root, execPath });
  const runs = [];
  for (let round = 0; round < rounds; round += 1) {
    for (const mode of rotate(MODES, round)) {
      const run = await runOnce(mode, { root: fixture.root, execPath });
      run.round = round;
      runs.push(run);
      log(`B2 round ${round + 1}/${rounds} ${mode}: ${run.failed ? `FAILED ${run.failed.split("\n")[0]}` : `ready at ${format(run.readyMillis)} ms`}`);
    }
  }
  const byRound = (mode) => new Map(runs.filter((run) => run.mode === mode && !run.failed).map((run) => [run.round, run]));
  const baselines = { none: byRound("none"), "none@esm": byRound("none@esm") };
  const summary = {};
  for (const mode of MODES) {
    const mine = runs.filter((run) => run.mode === mode);
    const good = mine.filter((run) => !run.failed);
    const baseline = baselines[baselineOf(mode)];
    summary[mode] = {
      label: labelOf(mode),
      rounds: mine.length,
      verifiedRounds: good.length,
      failures: mine.filter((run) => run.failed).map((run) => run.failed),
      importMillis: summarize(good.map((run) => run.importMillis)),
      readyMillis: summarize(good.map((run) => run.readyMillis)),
      overReadyMillis: summarize(good.filter((run) => baseline.has(run.round)).map((run) => run.readyMillis - baseline.get(run.round).readyMillis)),
      firstExportMillis: summarize(good.map((run) => run.firstExportMillis)),
      maxRssMb: summarize(good.map((run) => run.maxRssKb / 1024)),
      maxRssMbAfterFirstCall: summarize(good.map((run) => run.maxRssKbAfterFirstCall / 1024)),
      cjsModules: summarize(good.map((run) => run.cjsModules)),
      heapUsedMb: summarize(good.map((run) => run.heapUsedKb / 1024)),
    };
  }
  return { packagesInNodeModules: fixture.packages, rounds, summary, runs };
}

export function b2Tables(result) {
  const { summary } = result;
  const core = summary["import-core"];
  const rowsOf = (modes) =>
    modes.map((mode) => {
      const entry = summary[mode];
      if (entry === undefined) return [mode, "not run", "", "", "", "", "", "", "", ""];
      if (entry.verifiedRounds === 0) return [entry.label, `FAILED: ${(entry.failures[0] ?? "").split("\n")[0].slice(0, 160)}`, "", "", "", "", "", "", "", ""];
      const none = mode.startsWith("none");
      const handWired = summary[handWiredOf(mode)];
      return [
        entry.label,
        spread(entry.readyMillis),
        none ? "–" : spread(entry.overReadyMillis),
        none || mode.startsWith("otel-hand") ? "–" : ratio(entry.overReadyMillis?.median, handWired?.overReadyMillis?.median),
        entry.firstExportMillis?.median === undefined ? "–" : spread(entry.firstExportMillis),
        spread(entry.maxRssMb),
        spread(entry.heapUsedMb, 1),
        spread(entry.cjsModules),
        `${entry.verifiedRounds}/${entry.rounds}`,
      ];
    });
  const importLine =
    core.verifiedRounds > 0
      ? `\`import "@llmops/core"\`: ${spread(core.importMillis, 1)} ms; process ready at ${spread(core.readyMillis)} ms; max RSS ${spread(core.maxRssMb)} MB`
      : `import "@llmops/core": FAILED ${core.failures[0]}`;
  const headers = [
    "setup",
    "ready at ms (since process start)",
    "over no tracing ms",
    "over-time ÷ hand-wired OTel's",
    "ready → first call's span exported ms",
    "max RSS at ready MB",
    "heap used at ready MB",
    "CommonJS modules at ready",
    "verified rounds",
  ];
  return `B2 start-up, fresh processes, app with ${format(result.packagesInNodeModules)} packages in node_modules, ${result.rounds} rounds; median (min–max)\n\n${importLine}\n\nCommonJS-style app (openai required after tracing starts):\n\n${table(headers, rowsOf(CJS_MODES))}\n\nES module app (openai imported before tracing starts, handed in as each tool documents; llmops also zero code):\n\n${table(headers, rowsOf(ESM_MODES))}`;
}
