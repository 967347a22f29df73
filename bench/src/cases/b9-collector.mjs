// B9: what one SDK process delivers to a real OpenTelemetry Collector (built by tools/otelcol), over OTLP/HTTP protobuf
// and OTLP/gRPC: spans per second from the first span to the end of the flush, counted at the collector (its file
// exporter), and the app's CPU per span. The collector runs on the same machine, so its CPU competes with the app's:
// the figures are a floor for a collector on its own node.
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT, format, rotate, sleep, spread, summarize, table } from "../lib.mjs";

const PROTOCOLS = ["http/protobuf", "grpc"];

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function startCollector(binary) {
  const [http, grpc] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), "llmops-b9-"));
  const file = join(dir, "spans.jsonl");
  const config = join(dir, "config.yaml");
  writeFileSync(
    config,
    `receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 127.0.0.1:${http}\n      grpc:\n        endpoint: 127.0.0.1:${grpc}\n` +
      `processors:\n  batch:\n    send_batch_size: 8192\n    timeout: 200ms\n` +
      `exporters:\n  file:\n    path: ${file}\n    format: proto\n    flush_interval: 200ms\n` +
      `service:\n  telemetry:\n    metrics:\n      level: none\n  pipelines:\n    traces:\n      receivers: [otlp]\n      processors: [batch]\n      exporters: [file]\n`,
  );
  const child = spawn(binary, ["--config", config], { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`collector not ready:\n${log}`)), 30_000);
    child.stderr.on("data", (chunk) => {
      log += chunk;
      if (log.includes("Everything is ready")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => reject(new Error(`collector exited ${code}:\n${log}`)));
  });
  return {
    endpoints: { "http/protobuf": `http://127.0.0.1:${http}`, grpc: `http://127.0.0.1:${grpc}` },
    /** Spans written so far: the proto file format is a 4-byte length before each export request; spans are counted by their 16-byte span ids. */
    bytes: () => {
      try {
        return readFileSync(file).length;
      } catch {
        return 0;
      }
    },
    file,
    async close() {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Counts the spans in the collector's proto output with the repository's OTLP decoder. */
function countSpans(file) {
  const result = spawnSync(process.execPath, ["-e", COUNT_SCRIPT, file], { encoding: "utf8", cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`counting spans failed: ${result.stderr}`);
  return Number(result.stdout.trim());
}

const COUNT_SCRIPT = `
const { readFileSync } = require("node:fs");
const { decodeTraceRequest } = require("./test/support/src/otlp-decode.cjs");
const data = readFileSync(process.argv[1]);
let offset = 0, spans = 0;
while (offset + 4 <= data.length) {
  const length = data.readUInt32BE(offset);
  offset += 4;
  const decoded = decodeTraceRequest(data.subarray(offset, offset + length));
  for (const resource of decoded.resourceSpans) spans += resource.spans.length;
  offset += length;
}
process.stdout.write(String(spans));
`;

async function waitForBytes(collector, { quietMillis = 1000, timeoutMillis = 60_000 } = {}) {
  const deadline = Date.now() + timeoutMillis;
  let last = -1;
  let stableSince = Date.now();
  while (Date.now() < deadline) {
    const now = collector.bytes();
    if (now !== last) {
      last = now;
      stableSince = Date.now();
    } else if (Date.now() - stableSince >= quietMillis) return;
    await sleep(100);
  }
}

async function runOnce(binary, protocol, { spans, yieldEvery, execPath, appRoot }) {
  const collector = await startCollector(binary);
  try {
    const child = spawnSync(execPath, [join(REPO_ROOT, "bench", "src", "b9-child.mjs")], {
      encoding: "utf8",
      timeout: 600_000,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        BENCH_REPO_ROOT: REPO_ROOT,
        BENCH_SPANS: String(spans),
        BENCH_YIELD_EVERY: String(yieldEvery),
        BENCH_ENDPOINT: collector.endpoints[protocol],
        BENCH_PROTOCOL: protocol,
        BENCH_APP_ROOT: appRoot,
      },
    });
    const line = child.stdout.trim().split("\n").pop();
    if (child.status !== 0 || !line) return { protocol, failed: `child exited ${child.status}: ${child.stderr.slice(-1500)}` };
    const result = JSON.parse(line);
    await waitForBytes(collector);
    const delivered = countSpans(collector.file);
    return { protocol, spans, delivered, deliveredPerSecond: delivered / (result.totalMillis / 1000), cpuMicrosPerSpan: result.cpuMicros / spans, stats: result.stats };
  } finally {
    await collector.close();
  }
}

export async function runB9({ rounds, spans, yieldEvery, execPath, log }) {
  const build = spawnSync(process.execPath, [join(REPO_ROOT, "tools", "otelcol", "build.mjs")], { encoding: "utf8", timeout: 1_800_000 });
  if (build.status !== 0) throw new Error(`building the collector failed: ${build.stderr}`);
  const binary = build.stdout.trim();
  // The app's folder: the gRPC exporter the platform resolves from the app, and no config file of anyone else's.
  const appRoot = mkdtempSync(join(tmpdir(), "llmops-b9-app-"));
  writeFileSync(join(appRoot, "package.json"), JSON.stringify({ name: "b9-app", private: true }));
  mkdirSync(join(appRoot, "node_modules", "@opentelemetry"), { recursive: true });
  symlinkSync(join(REPO_ROOT, "packages", "platform-otlp", "node_modules", "@opentelemetry", "exporter-trace-otlp-grpc"), join(appRoot, "node_modules", "@opentelemetry", "exporter-trace-otlp-grpc"));
  const runs = [];
  for (let round = 0; round < rounds; round += 1) {
    for (const protocol of rotate(PROTOCOLS, round)) {
      const run = await runOnce(binary, protocol, { spans, yieldEvery, execPath, appRoot });
      runs.push({ ...run, round });
      log(
        `B9 round ${round + 1}/${rounds} ${protocol}: ${run.failed ? `FAILED ${run.failed.split("\n")[0]}` : `${format(run.delivered)} of ${format(spans)} delivered, ${format(run.deliveredPerSecond)} spans/s`}`,
      );
    }
  }
  const summary = {};
  for (const protocol of PROTOCOLS) {
    const good = runs.filter((run) => run.protocol === protocol && !run.failed);
    summary[protocol] = {
      protocol,
      completedRounds: good.length,
      failures: runs.filter((run) => run.protocol === protocol && run.failed).map((run) => run.failed),
      delivered: summarize(good.map((run) => run.delivered)),
      reportedLost: summarize(good.map((run) => (run.stats?.spansDroppedQueueFull ?? 0) + (run.stats?.spansFailedExport ?? 0))),
      deliveredPerSecond: summarize(good.map((run) => run.deliveredPerSecond)),
      cpuMicrosPerSpan: summarize(good.map((run) => run.cpuMicrosPerSpan)),
    };
  }
  return { spans, yieldEvery, rounds, summary, runs };
}

export function b9Tables(result) {
  const rows = Object.values(result.summary).map((entry) =>
    entry.completedRounds === 0
      ? [entry.protocol, `FAILED: ${(entry.failures[0] ?? "").split("\n")[0].slice(0, 160)}`, "", "", ""]
      : [entry.protocol, spread(entry.delivered), spread(entry.reportedLost), spread(entry.deliveredPerSecond), spread(entry.cpuMicrosPerSpan, 2)],
  );
  return `B9 one llmops process into a real OpenTelemetry Collector (same machine): ${format(result.spans)} spans, yield every ${result.yieldEvery}, ${result.rounds} rounds; median (min–max)\n\n${table(
    ["protocol", "delivered (counted at the collector)", "dropped or failed (stats())", "delivered spans/s", "app CPU µs/span"],
    rows,
  )}`;
}
