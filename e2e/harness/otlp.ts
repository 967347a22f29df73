/**
 * Sends spans to a server exactly as an app would: the OpenTelemetry SDK records them and the real OTLP/HTTP
 * protobuf exporter (@opentelemetry/exporter-trace-otlp-proto) ships them in one request. It runs in a child
 * Node process (otlp-send.cjs): inside jest the exporter's transport fails on its dynamic `import("http")`
 * unless node has --experimental-vm-modules. Unlike a span processor, which only logs an export failure,
 * `sendSpans` throws with the exporter's error (status code and the server's answer), so a test sees why the
 * server refused.
 */
import { join } from "node:path";
import { lastJsonLine, runNode } from "@llmops-internal/test-support";

export type SpanKindName = "INTERNAL" | "SERVER" | "CLIENT" | "PRODUCER" | "CONSUMER";
export type AttributeValue = string | number | boolean | string[] | number[] | boolean[];

/** A span to record; `children` are started under it (same trace, parent = this span). */
export interface SpanSpec {
  name: string;
  kind?: SpanKindName;
  attributes?: Record<string, AttributeValue>;
  status?: { code: "OK" | "ERROR"; message?: string };
  events?: Array<{ name: string; attributes?: Record<string, AttributeValue> }>;
  children?: SpanSpec[];
}

/** The ids the SDK gave a sent span (lowercase hex, as OTel and Phoenix write them). */
export interface SentSpan {
  name: string;
  traceId: string;
  spanId: string;
  /** Undefined for a root span. */
  parentSpanId?: string;
}

export interface SendSpansOptions {
  /** The OTLP/HTTP traces endpoint (`…/v1/traces`). */
  endpoint: string;
  /** Extra request headers (e.g. `x-mlflow-experiment-id`). */
  headers?: Record<string, string>;
  /** Resource attributes (e.g. `service.name`, `openinference.project.name`). */
  resource?: Record<string, AttributeValue>;
  /** Root spans, each the start of its own trace. */
  spans: SpanSpec[];
  /** Kill the sender after this long (default 30 s). */
  timeoutMs?: number;
}

const SENDER = join(__dirname, "otlp-send.cjs");

/** Records `spans`, exports them in one OTLP/HTTP protobuf request, and answers their ids (depth first). */
export async function sendSpans(options: SendSpansOptions): Promise<SentSpan[]> {
  const { timeoutMs = 30_000, ...request } = options;
  const run = await runNode([SENDER], { cwd: __dirname, input: JSON.stringify(request), timeoutMillis: timeoutMs });
  if (run.code === -1) throw new Error(`e2e: could not start the OTLP sender (${process.execPath} ${SENDER}): ${run.stderr}`);
  const answer = lastJsonLine<{ ok: boolean; spans?: SentSpan[]; error?: string }>(run.stdout);
  if (answer?.ok === true && answer.spans !== undefined) return answer.spans;
  const why = answer?.error ?? `sender exited ${run.code ?? run.signal} with no answer`;
  const stderr = run.stderr.trim();
  throw new Error(`e2e: OTLP export to ${options.endpoint} failed: ${why}${stderr === "" ? "" : `\n${stderr}`}`);
}
