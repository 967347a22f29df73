import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanEnvironment, createTempApp, generateTestCertificates, markedJsonLine, runNode, startCollector, startHttpReceiver } from "@llmops-internal/test-support";
import type { CollectedSpan, RunningCollector, TestCertificates } from "@llmops-internal/test-support";

/**
 * `@llmops/platform-otlp` (built dist) against a real OpenTelemetry Collector, built from the Go module proxy by
 * tools/otelcol/build.mjs into a cache outside the clone (`pnpm test` builds it before jest, so here it is found).
 * Each scenario runs the app in its own process; the collector's file exporter is what arrived.
 */

jest.setTimeout(120_000);

const APP = join(__dirname, "apps", "collector-app.cjs");
const BUILD = join(__dirname, "..", "..", "tools", "otelcol", "build.mjs");

let binary: string;
let certificates: TestCertificates;
let appRoot: string;
const collectors: RunningCollector[] = [];

beforeAll(() => {
  const build = spawnSync(process.execPath, [BUILD], { encoding: "utf8", timeout: 1_800_000 });
  if (build.status !== 0) throw new Error(`building the collector failed:\n${build.stderr}`);
  binary = build.stdout.trim();
  certificates = generateTestCertificates();
  const grpcExporter = "@opentelemetry/exporter-trace-otlp-grpc";
  appRoot = createTempApp({ links: { [grpcExporter]: join(__dirname, "..", "..", "packages", "platform-otlp", "node_modules", grpcExporter) } });
}, 1_800_000);

afterAll(async () => {
  for (const collector of collectors.splice(0)) await collector.close();
  certificates?.remove();
  if (appRoot !== undefined) rmSync(appRoot, { recursive: true, force: true });
});

async function collector(options: Parameters<typeof startCollector>[1] = {}): Promise<RunningCollector> {
  const started = await startCollector(binary, options);
  collectors.push(started);
  return started;
}

interface Stats {
  spansEnded: number;
  spansExported: number;
  spansFailedExport: number;
  spansDroppedQueueFull: number;
  spansPending: number;
  lastExportError?: string;
}

interface AppResult {
  active: boolean;
  flushes: { ok: boolean }[];
  stats: Stats;
  unhandled: string[];
  threw?: string;
}

async function runApp(
  otlp: Record<string, unknown>,
  options: { rounds?: number; spansPerRound?: number; pauseMillis?: number; onLine?: (line: string) => void; validationMode?: string } = {},
): Promise<AppResult> {
  const scenario = {
    otlp: { timeout_ms: 3_000, ...otlp },
    rounds: options.rounds ?? 1,
    spansPerRound: options.spansPerRound ?? 2,
    pauseMillis: options.pauseMillis ?? 0,
    validationMode: options.validationMode,
  };
  const run = await runNode([APP], {
    env: cleanEnvironment({ COLLECTOR_SCENARIO: JSON.stringify(scenario), COLLECTOR_APP_ROOT: appRoot }),
    timeoutMillis: 90_000,
    ...(options.onLine === undefined ? {} : { onLine: (line) => options.onLine?.(line) }),
  });
  const result = markedJsonLine(run.stdout, "COLLECTOR-RESULT") as AppResult | undefined;
  if (result === undefined) throw new Error(`the app printed no result (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  expect(result.threw).toBeUndefined();
  expect(result.unhandled).toEqual([]);
  return result;
}

function expectIntactTrace(spans: CollectedSpan[]): void {
  const llm = spans.find((span) => span.name === "ChatCompletion");
  const agent = spans.find((span) => span.name === "agent" && span.traceId === llm?.traceId);
  expect(llm).toBeDefined();
  expect(agent).toBeDefined();
  expect(llm?.parentSpanId).toBe(agent?.spanId);
  expect(llm?.attributes).toMatchObject({ "openinference.span.kind": "LLM", "llm.model_name": "gpt-4o-mini", "llm.token_count.prompt": 11, "test.flag": true, "test.list": ["a", "b"] });
  expect(llm?.resource).toMatchObject({ "service.name": "collector-app", "service.version": "1.2.3" });
  const first = spans.find((span) => span.name === "agent");
  expect(llm?.links).toEqual([{ traceId: first?.traceId, spanId: first?.spanId, attributes: { "link.reason": "first question" } }]);
}

describe.each([
  ["http/protobuf", "httpUrl"],
  ["http/json", "httpUrl"],
  ["grpc", "grpcUrl"],
] as const)("over %s", (protocol, urlKey) => {
  it("delivers spans with their attributes, resource, parents and links", async () => {
    const running = await collector();
    const result = await runApp({ endpoint: running[urlKey], protocol });
    expect(result.stats).toMatchObject({ spansEnded: 4, spansExported: 4, spansFailedExport: 0 });
    const spans = await running.waitForSpans((found) => found.length >= 4);
    expect(spans).toHaveLength(4);
    expectIntactTrace(spans);
  });

  it("delivers gzip-compressed exports", async () => {
    const running = await collector();
    const result = await runApp({ endpoint: running[urlKey], protocol, compression: "gzip" });
    expect(result.stats).toMatchObject({ spansExported: 4, spansFailedExport: 0 });
    expectIntactTrace(await running.waitForSpans((found) => found.length >= 4));
  });
});

it("compresses with gzip on the wire when asked (seen by a decoding receiver)", async () => {
  const receiver = await startHttpReceiver();
  try {
    await runApp({ endpoint: receiver.url, compression: "gzip" });
    expect(receiver.requests.length).toBeGreaterThan(0);
    expect(receiver.requests.every((request) => request.gzip)).toBe(true);
  } finally {
    await receiver.close();
  }
});

describe("mutual TLS", () => {
  it.each(["http/protobuf", "grpc"] as const)("over %s, a client certificate the collector requires gets spans in; without it they are counted as failed", async (protocol) => {
    const running = await collector({ tls: { certFile: certificates.serverCertFile, keyFile: certificates.serverKeyFile, clientCaFile: certificates.authority.certFile } });
    const endpoint = protocol === "grpc" ? running.grpcUrl : running.httpUrl;
    const tls = { endpoint, protocol, certificate_file: certificates.authority.certFile };
    const accepted = await runApp({ ...tls, client_certificate_file: certificates.clientCertFile, client_key_file: certificates.clientKeyFile });
    expect(accepted.stats).toMatchObject({ spansExported: 4, spansFailedExport: 0 });
    expectIntactTrace(await running.waitForSpans((found) => found.length >= 4));

    const refused = await runApp(tls, { validationMode: "permissive" });
    expect(refused.stats).toMatchObject({ spansEnded: 4, spansExported: 0, spansFailedExport: 4 });
  });
});

it("sends the GenAI conventions when asked, so GenAI backends see model, messages, tokens and operation", async () => {
  const running = await collector();
  await runApp({ endpoint: running.httpUrl, semantic_conventions: "gen_ai" });
  const spans = await running.waitForSpans((found) => found.length >= 4);
  const llm = spans.find((span) => span.name === "ChatCompletion");
  expect(llm?.attributes).toMatchObject({
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": "openai",
    "gen_ai.request.model": "gpt-4o-mini",
    "gen_ai.request.temperature": 0.5,
    "gen_ai.usage.input_tokens": 11,
    "gen_ai.usage.output_tokens": 3,
  });
  expect(JSON.parse(String(llm?.attributes["gen_ai.input.messages"]))).toEqual([{ role: "user", parts: [{ type: "text", content: "question 0.0" }] }]);
  // The OpenInference keys the GenAI ones replace are gone (content is sent once); llm.cost.* has no GenAI name and stays.
  expect(Object.keys(llm?.attributes ?? {}).filter((key) => key.startsWith("llm.") && !key.startsWith("llm.cost."))).toEqual([]);
  expect(spans.find((span) => span.name === "agent")?.attributes["gen_ai.operation.name"]).toBe("invoke_agent");
});

it("counts the spans a collector refuses under memory pressure as failed exports, and delivers again once it accepts", async () => {
  const refusing = await collector({ refuse: true });
  const ports = refusing.ports;
  let replaced: Promise<RunningCollector> | undefined;
  const result = await runApp(
    { endpoint: refusing.httpUrl, timeout_ms: 1_000 },
    {
      rounds: 4,
      pauseMillis: 200,
      onLine: (line) => {
        // After two refused rounds the pressure ends: a collector that accepts takes over the same port.
        if (line.startsWith("ROUND 1 ")) replaced = refusing.stop().then(() => collector({ ports }));
      },
    },
  );
  expect(refusing.spans()).toHaveLength(0);
  const accepting = await (replaced as Promise<RunningCollector>);
  expect(result.stats.spansFailedExport).toBeGreaterThanOrEqual(4);
  expect(result.stats.lastExportError).toBeDefined();
  const delivered = await accepting.waitForSpans((found) => found.length >= result.stats.spansExported);
  expect(result.stats.spansExported).toBeGreaterThanOrEqual(4);
  expect(delivered.length).toBe(result.stats.spansExported);
  expect(result.stats.spansExported + result.stats.spansFailedExport).toBe(result.stats.spansEnded);
});

it("loses across a collector restart mid-run no more than stats() reports", async () => {
  const first = await collector();
  const ports = first.ports;
  let second: Promise<RunningCollector> | undefined;
  const result = await runApp(
    { endpoint: first.httpUrl, timeout_ms: 1_000 },
    {
      rounds: 12,
      spansPerRound: 5,
      pauseMillis: 150,
      onLine: (line) => {
        if (line.startsWith("ROUND 3 "))
          second = first
            .stop()
            .then(() => new Promise((resolve) => setTimeout(resolve, 500)))
            .then(() => collector({ ports }));
      },
    },
  );
  const restarted = await (second as Promise<RunningCollector>);
  const sent = result.stats.spansEnded;
  expect(sent).toBe(120);
  const arrived = await restarted.waitForSpans(() => first.spans().length + restarted.spans().length >= result.stats.spansExported);
  const received = new Set([...first.spans(), ...arrived].map((span) => span.spanId)).size;
  const lost = sent - received;
  const reportedLost = result.stats.spansFailedExport + result.stats.spansDroppedQueueFull;
  expect(lost).toBeLessThanOrEqual(reportedLost);
  expect(received).toBeGreaterThanOrEqual(result.stats.spansExported);
});

describe("examples/scaling", () => {
  const examples = join(__dirname, "..", "..", "examples", "scaling");
  // Placeholders the configurations read from the environment; validation checks them, it connects to nothing.
  const env = {
    ...cleanEnvironment(),
    LLMOPS_GATEWAY_ENDPOINT: "gateway.internal:4317",
    LLMOPS_GATEWAY_CA_FILE: "/etc/llmops/ca.pem",
    LLMOPS_GATEWAY_CERT_FILE: "/etc/llmops/gateway.pem",
    LLMOPS_GATEWAY_KEY_FILE: "/etc/llmops/gateway.key",
    KAFKA_BROKERS: "kafka.internal:9092",
    CLICKHOUSE_ENDPOINT: "tcp://clickhouse.internal:9000",
  };

  it.each(["agent.yaml", "gateway.yaml", "store-writer.yaml"])("%s is a configuration the built collector accepts", (file) => {
    const result = spawnSync(binary, ["validate", "--config", join(examples, file)], { encoding: "utf8", env, timeout: 60_000 });
    expect({ file, status: result.status, output: `${result.stdout}${result.stderr}`.trim() }).toEqual({ file, status: 0, output: "" });
  });

  it("a broken configuration is refused (the check can fail)", () => {
    const broken = join(mkdtempSync(join(tmpdir(), "llmops-scaling-")), "gateway.yaml");
    writeFileSync(broken, readFileSync(join(examples, "gateway.yaml"), "utf8").replace("exporters: [kafka]", "exporters: [kafak]"));
    const result = spawnSync(binary, ["validate", "--config", broken], { encoding: "utf8", env, timeout: 60_000 });
    expect(result.status).not.toBe(0);
    expect(`${result.stdout}${result.stderr}`).toContain("kafak");
  });
});
