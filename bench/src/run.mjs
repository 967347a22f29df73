// `pnpm bench`: llmops against no tracing and its peers, each setup in fresh processes, side by side in one run.
// Prints markdown tables (median, min–max, ratios) and saves everything as JSON under bench/results/ (not kept in git).
//
//   pnpm bench                      all cases (B4's outage lasts 5 minutes)
//   pnpm bench --only B1,B3         some cases (B5: trace() per call, alone: --only B5; B7: the cost processor per span; B9: into a real collector; B6: privacy per span; B8: Gemini vs openai instrumentation)
//   pnpm bench --quick              fewer rounds, calls and spans; 20 s outage (for development)
//   LLMOPS_BENCH_OUTAGE_SECONDS=60  or --outage-seconds 60: a shorter B4 outage
//   --rounds N                      rounds of B1, B2, B3, B5 (default 5; --quick 1)
//   --render FILE                   print the tables of a saved result again (e.g. bench/results/latest.json)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { arch, cpus, loadavg, platform, release, totalmem } from "node:os";
import { join } from "node:path";
import { b1Tables, runB1 } from "./cases/b1-per-call.mjs";
import { b2Tables, runB2 } from "./cases/b2-startup.mjs";
import { b3Tables, runB3 } from "./cases/b3-export.mjs";
import { b4Tables, runB4 } from "./cases/b4-outage.mjs";
import { b5Tables, runB5 } from "./cases/b5-trace.mjs";
import { b7Tables, runB7 } from "./cases/b7-cost.mjs";
import { b9Tables, runB9 } from "./cases/b9-collector.mjs";
import { b6Tables, runB6 } from "./cases/b6-privacy.mjs";
import { b8Tables, runB8 } from "./cases/b8-genai.mjs";
import { BENCH_ROOT, REPO_ROOT, ensureNode, versionOf } from "./lib.mjs";

const NODE_24 = "24.21.0";

function parseArguments(argv) {
  const options = { only: ["B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B9"], quick: false, rounds: undefined, outageSeconds: undefined, render: undefined };
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index];
    const value = () => {
      const next = argv[index + 1];
      index += 1;
      if (next === undefined) throw new Error(`${argument} needs a value`);
      return next;
    };
    if (argument === "--") continue;
    else if (argument === "--quick") options.quick = true;
    else if (argument === "--only")
      options.only = value()
        .toUpperCase()
        .split(",")
        .map((name) => name.trim())
        .filter(Boolean);
    else if (argument.startsWith("--only=")) options.only = argument.slice(7).toUpperCase().split(",");
    else if (argument === "--rounds") options.rounds = Number(value());
    else if (argument === "--outage-seconds") options.outageSeconds = Number(value());
    else if (argument === "--render") options.render = value();
    else if (argument === "--help" || argument === "-h") {
      console.log(
        readFileSync(new URL(import.meta.url), "utf8")
          .split("\n")
          .filter((line) => line.startsWith("//"))
          .join("\n")
          .replace(/^\/\/ ?/gm, ""),
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${argument} (try --help)`);
  }
  for (const name of options.only) if (!["B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B9"].includes(name)) throw new Error(`unknown case ${name}: B1, B2, B3, B4, B5, B6, B7, B8 or B9`);
  return options;
}

function packageVersion(name) {
  try {
    return JSON.parse(readFileSync(join(BENCH_ROOT, "node_modules", name, "package.json"), "utf8")).version;
  } catch {
    return undefined;
  }
}

const options = parseArguments(process.argv.slice(2));
if (options.render !== undefined) {
  // Results are written by a run on this machine and are not kept in git: a fresh clone has none until `pnpm bench`.
  if (!existsSync(options.render)) {
    console.error(`${options.render} does not exist: results are written by a run (\`pnpm bench\`), not kept in git.`);
    process.exit(1);
  }
  const saved = JSON.parse(readFileSync(options.render, "utf8"));
  const parts = [];
  for (const result of saved.cases.B1 ?? []) parts.push(b1Tables(result).main, b1Tables(result).breakdown);
  if (saved.cases.B2 !== undefined) parts.push(b2Tables(saved.cases.B2));
  if (saved.cases.B3 !== undefined) parts.push(b3Tables(saved.cases.B3));
  if (saved.cases.B4 !== undefined) parts.push(b4Tables(saved.cases.B4));
  if (saved.cases.B5 !== undefined) parts.push(b5Tables(saved.cases.B5));
  if (saved.cases.B7 !== undefined) parts.push(b7Tables(saved.cases.B7));
  if (saved.cases.B9 !== undefined) parts.push(b9Tables(saved.cases.B9));
  if (saved.cases.B6 !== undefined) parts.push(b6Tables(saved.cases.B6));
  for (const result of saved.cases.B8 ?? []) parts.push(b8Tables(result));
  console.log(parts.join("\n\n"));
  process.exit(0);
}
for (const built of ["packages/core/dist/index.js", "packages/platform-arize/dist/index.js"]) {
  if (!existsSync(join(REPO_ROOT, built))) {
    console.error(`${built} is missing: run \`pnpm run build\` first (\`pnpm bench\` does).`);
    process.exit(1);
  }
}
const quick = options.quick;
const rounds = options.rounds ?? (quick ? 1 : 5);
const outageSeconds = options.outageSeconds ?? Number(process.env.LLMOPS_BENCH_OUTAGE_SECONDS ?? (quick ? 20 : 300));
const log = (line) => console.error(`[bench] ${line}`);
const cpuList = cpus();
const machine = {
  node: process.version,
  cpuModel: cpuList[0]?.model,
  cores: cpuList.length,
  memoryGb: Math.round(totalmem() / 2 ** 30),
  os: `${platform()} ${release()} ${arch()}`,
  // Other work on the machine skews every figure: the 1/5/15-minute load averages when the run started and ended.
  loadAverageAtStart: loadavg(),
};
const versions = Object.fromEntries(
  [
    "openai",
    "@arizeai/openinference-instrumentation-openai",
    "@arizeai/phoenix-otel",
    "@traceloop/node-server-sdk",
    "@opentelemetry/api",
    "@opentelemetry/sdk-trace-node",
    "hand-wired-exporter-trace-otlp-proto",
    "@llmops/core",
    "@llmops/platform-arize",
  ].map((name) => [name, packageVersion(name)]),
);
const startedAt = new Date();
const results = {
  startedAt: startedAt.toISOString(),
  quick,
  rounds,
  machine,
  versions,
  notes: ["openai 6.30.1, not 7: openai 7 declares Node >= 22 and the project supports Node 20; every package here uses 6.30.1."],
  cases: {},
};
const output = [];
const print = (text) => {
  output.push(text);
  console.log(`${text}\n`);
};
print(
  `# llmops bench ${startedAt.toISOString()}${quick ? " (--quick)" : ""}\n\nNode ${machine.node}, ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGb} GB; openai ${versions.openai} (not 7: it requires Node ≥ 22).`,
);

if (options.only.includes("B1")) {
  const calls = quick ? 500 : 5000;
  const warmup = quick ? 100 : 500;
  const node24 = ensureNode(NODE_24);
  const binaries = [[process.execPath, process.version]];
  if (node24 !== undefined) binaries.push([node24, versionOf(node24)]);
  else log(`Node ${NODE_24} could not be installed: B1 runs on ${process.version} only`);
  results.cases.B1 = [];
  for (const [execPath, nodeVersion] of binaries) {
    const result = await runB1({ rounds, calls, warmup, execPath, nodeVersion, log });
    results.cases.B1.push(result);
    const tables = b1Tables(result);
    print(tables.main);
    print(tables.breakdown);
  }
}
if (options.only.includes("B2")) {
  const result = await runB2({ rounds: quick ? 1 : Math.max(rounds, 5), execPath: process.execPath, log });
  results.cases.B2 = result;
  print(b2Tables(result));
}
if (options.only.includes("B3")) {
  const result = await runB3({ rounds: quick ? 1 : Math.min(rounds, 3), spans: quick ? 50_000 : 200_000, yieldEvery: 100, execPath: process.execPath, log });
  results.cases.B3 = result;
  print(b3Tables(result));
}
if (options.only.includes("B4")) {
  const result = await runB4({ outageSeconds, warmSeconds: quick ? 5 : 15, recoverySeconds: quick ? 10 : 30, flushTimeoutMillis: undefined, execPath: process.execPath, log });
  results.cases.B4 = result;
  print(b4Tables(result));
}
if (options.only.includes("B5")) {
  const result = await runB5({ rounds, calls: quick ? 20_000 : 200_000, warmup: quick ? 5_000 : 20_000, execPath: process.execPath, log });
  results.cases.B5 = result;
  print(b5Tables(result));
}
if (options.only.includes("B7")) {
  const result = await runB7({ rounds, calls: quick ? 20_000 : 100_000, warmup: quick ? 5_000 : 20_000, execPath: process.execPath, log });
  results.cases.B7 = result;
  print(b7Tables(result));
}
if (options.only.includes("B9")) {
  const result = await runB9({ rounds: quick ? 1 : Math.min(rounds, 3), spans: quick ? 20_000 : 100_000, yieldEvery: 100, execPath: process.execPath, log });
  results.cases.B9 = result;
  print(b9Tables(result));
}
if (options.only.includes("B6")) {
  results.cases.B6 = await runB6({ rounds, spans: quick ? 20_000 : 100_000, warmup: quick ? 5_000 : 20_000, execPath: process.execPath, log });
  print(b6Tables(results.cases.B6));
}
if (options.only.includes("B8")) {
  const node24 = ensureNode(NODE_24);
  results.cases.B8 = [];
  for (const [execPath, nodeVersion] of [[process.execPath, process.version], ...(node24 === undefined ? [] : [[node24, versionOf(node24)]])]) {
    const result = await runB8({ rounds, calls: quick ? 2000 : 5000, warmup: 500, execPath, nodeVersion, log });
    results.cases.B8.push(result);
    print(b8Tables(result));
  }
}
results.finishedAt = new Date().toISOString();
results.machine.loadAverageAtEnd = loadavg();
results.markdown = output.join("\n\n");
const resultsDirectory = join(BENCH_ROOT, "results");
mkdirSync(resultsDirectory, { recursive: true });
const stamp = startedAt.toISOString().replace(/[:.]/g, "-");
const json = `${JSON.stringify(results, null, 2)}\n`;
writeFileSync(join(resultsDirectory, `${stamp}${quick ? "-quick" : ""}.json`), json);
if (!quick) writeFileSync(join(resultsDirectory, "latest.json"), json);
log(`saved bench/results/${stamp}${quick ? "-quick" : ""}.json${quick ? "" : " and bench/results/latest.json"}`);
