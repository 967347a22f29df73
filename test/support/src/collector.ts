import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePorts } from "./ports";

/** One span as the collector's file exporter wrote it (OTLP JSON), attributes flattened to plain values. */
export interface CollectedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly resource: Readonly<Record<string, unknown>>;
  readonly links: readonly { readonly traceId: string; readonly spanId: string; readonly attributes: Readonly<Record<string, unknown>> }[];
}

/** TLS of the collector's receivers: its key pair, and the CA whose client certificates it requires (mutual TLS). */
export interface CollectorTls {
  readonly certFile: string;
  readonly keyFile: string;
  readonly clientCaFile?: string;
}

/** Options of {@link startCollector}. */
export interface CollectorOptions {
  /** TLS on both receivers. */
  readonly tls?: CollectorTls;
  /** A memory limiter that refuses everything (its limit below the collector's own heap): backpressure on demand. */
  readonly refuse?: boolean;
  /** Ports to listen on (a restart keeps them); default two free ones. */
  readonly ports?: { readonly http: number; readonly grpc: number };
}

/** A running OpenTelemetry Collector with the OTLP receivers and a file exporter. */
export interface RunningCollector {
  /** `http(s)://127.0.0.1:<port>`: the OTLP/HTTP receiver's base URL. */
  readonly httpUrl: string;
  /** `http(s)://127.0.0.1:<port>`: the OTLP/gRPC receiver. */
  readonly grpcUrl: string;
  readonly ports: { readonly http: number; readonly grpc: number };
  /** Every span the file exporter has written so far. */
  spans(): CollectedSpan[];
  /** Waits until `predicate(spans())` holds (default 15 s), else throws with what arrived. */
  waitForSpans(predicate: (spans: CollectedSpan[]) => boolean, timeoutMillis?: number): Promise<CollectedSpan[]>;
  /** The collector's log so far. */
  log(): string;
  /** Stops it (SIGTERM, then SIGKILL after 5 s). The output stays readable. */
  stop(): Promise<void>;
  /** Stops it and removes its files. */
  close(): Promise<void>;
}

function flatten(value: Record<string, unknown> | undefined): unknown {
  if (value === undefined) return undefined;
  if ("stringValue" in value) return value.stringValue;
  if ("intValue" in value) return Number(value.intValue);
  if ("doubleValue" in value) return value.doubleValue;
  if ("boolValue" in value) return value.boolValue;
  if ("arrayValue" in value) return ((value.arrayValue as { values?: Record<string, unknown>[] }).values ?? []).map(flatten);
  return value;
}

function attributesOf(list: unknown): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const entry of (list as { key: string; value?: Record<string, unknown> }[] | undefined) ?? []) result[entry.key] = flatten(entry.value);
  return result;
}

/** Parses the file exporter's output: one OTLP JSON export request per line. */
export function parseCollectorFile(text: string): CollectedSpan[] {
  const spans: CollectedSpan[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const request = JSON.parse(line) as { resourceSpans?: { resource?: { attributes?: unknown }; scopeSpans?: { spans?: Record<string, unknown>[] }[] }[] };
    for (const resourceSpans of request.resourceSpans ?? []) {
      const resource = attributesOf(resourceSpans.resource?.attributes);
      for (const scope of resourceSpans.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) {
          spans.push({
            traceId: String(span.traceId ?? ""),
            spanId: String(span.spanId ?? ""),
            parentSpanId: String(span.parentSpanId ?? ""),
            name: String(span.name ?? ""),
            attributes: attributesOf(span.attributes),
            resource,
            links: ((span.links as Record<string, unknown>[] | undefined) ?? []).map((link) => ({
              traceId: String(link.traceId),
              spanId: String(link.spanId),
              attributes: attributesOf(link.attributes),
            })),
          });
        }
      }
    }
  }
  return spans;
}

function tlsYaml(tls: CollectorTls | undefined, indent: string): string {
  if (tls === undefined) return "";
  return (
    [
      `${indent}tls:`,
      `${indent}  cert_file: ${tls.certFile}`,
      `${indent}  key_file: ${tls.keyFile}`,
      ...(tls.clientCaFile === undefined ? [] : [`${indent}  client_ca_file: ${tls.clientCaFile}`]),
    ].join("\n") + "\n"
  );
}

/** The collector's configuration: OTLP in (HTTP and gRPC, on loopback), optionally a refusing memory limiter, a batch processor, a file out. */
export function collectorConfig(params: { ports: { http: number; grpc: number }; file: string; tls?: CollectorTls; refuse?: boolean }): string {
  const processors = params.refuse === true ? "[memory_limiter, batch]" : "[batch]";
  return `receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${params.ports.http}
${tlsYaml(params.tls, "        ")}      grpc:
        endpoint: 127.0.0.1:${params.ports.grpc}
${tlsYaml(params.tls, "        ")}processors:
  batch:
    timeout: 100ms
  memory_limiter:
    check_interval: 100ms
    limit_mib: 1
    spike_limit_mib: 0
exporters:
  file:
    path: ${params.file}
    format: json
    flush_interval: 100ms
service:
  telemetry:
    metrics:
      level: none
    logs:
      level: info
  pipelines:
    traces:
      receivers: [otlp]
      processors: ${processors}
      exporters: [file]
`;
}

/**
 * Starts the collector binary (see tools/otelcol: `ensureCollector()` gives its path) on loopback ports and waits until
 * it says it is ready.
 *
 * @example
 * ```ts
 * const collector = await startCollector(binary);
 * // ... export to collector.httpUrl ...
 * const spans = await collector.waitForSpans((spans) => spans.length >= 3);
 * await collector.close();
 * ```
 */
export async function startCollector(binary: string, options: CollectorOptions = {}): Promise<RunningCollector> {
  const [http, grpc] = options.ports === undefined ? await freePorts(2) : [options.ports.http, options.ports.grpc];
  const ports = { http: http as number, grpc: grpc as number };
  const dir = mkdtempSync(join(tmpdir(), "llmops-otelcol-"));
  const file = join(dir, "spans.jsonl");
  const configFile = join(dir, "config.yaml");
  writeFileSync(configFile, collectorConfig({ ports, file, ...(options.tls === undefined ? {} : { tls: options.tls }), ...(options.refuse === undefined ? {} : { refuse: options.refuse }) }));
  let log = "";
  const child: ChildProcess = spawn(binary, ["--config", configFile], { stdio: ["ignore", "pipe", "pipe"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the collector did not get ready within 30 s:\n${log}`)), 30_000);
    const onData = (chunk: Buffer): void => {
      log += chunk.toString();
      if (log.includes("Everything is ready")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the collector exited (${code}) before it was ready:\n${log}`));
    });
  });
  const scheme = options.tls === undefined ? "http" : "https";
  const spans = (): CollectedSpan[] => (existsSync(file) ? parseCollectorFile(readFileSync(file, "utf8")) : []);
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(timer);
  };
  return {
    httpUrl: `${scheme}://127.0.0.1:${ports.http}`,
    grpcUrl: `${scheme}://127.0.0.1:${ports.grpc}`,
    ports,
    spans,
    async waitForSpans(predicate, timeoutMillis = 15_000) {
      const deadline = Date.now() + timeoutMillis;
      for (;;) {
        const found = spans();
        if (predicate(found)) return found;
        if (Date.now() > deadline) throw new Error(`the collector's file has ${found.length} spans, not what was expected, after ${timeoutMillis} ms:\n${log.slice(-2000)}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    log: () => log,
    stop,
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
