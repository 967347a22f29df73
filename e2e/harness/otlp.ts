/**
 * Sends spans to a server exactly as an app would: the OpenTelemetry SDK records them and the real OTLP/HTTP
 * protobuf exporter (@opentelemetry/exporter-trace-otlp-proto) ships them in one request. It runs in a child
 * Node process (otlp-send.cjs): inside jest the exporter's transport fails on its dynamic `import("http")`
 * unless node has --experimental-vm-modules. Unlike a span processor, which only logs an export failure,
 * `sendSpans` throws with the exporter's error (status code and the server's answer), so a test sees why the
 * server refused.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";

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
export function sendSpans(options: SendSpansOptions): Promise<SentSpan[]> {
  const { timeoutMs = 30_000, ...request } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SENDER], { cwd: __dirname, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`e2e: could not start the OTLP sender (${process.execPath} ${SENDER}): ${error.message}`));
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      let answer: { ok: boolean; spans?: SentSpan[]; error?: string } | undefined;
      try {
        answer = JSON.parse(stdout.trim().split("\n").pop() ?? "") as typeof answer;
      } catch {
        answer = undefined;
      }
      if (answer?.ok === true && answer.spans !== undefined) {
        resolve(answer.spans);
        return;
      }
      const why = answer?.error ?? `sender exited ${code ?? signal} with no answer${signal === "SIGKILL" ? ` (killed after ${timeoutMs} ms)` : ""}`;
      reject(new Error(`e2e: OTLP export to ${options.endpoint} failed: ${why}${stderr.trim() === "" ? "" : `\n${stderr.trim()}`}`));
    });
    child.stdin.end(JSON.stringify(request));
  });
}
