import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import type { Attributes, HrTime } from "@opentelemetry/api";
import type { ReadableSpan } from "@llmops/core";

/** An attribute value as written to JSON (OpenTelemetry attribute values are primitives or arrays of them). */
export type SpanRecordAttributes = Record<string, unknown>;

/**
 * One span as the local platform writes it: one JSON line per span in `<directory>/<YYYY-MM-DD>.jsonl`,
 * and the input of {@link formatTraceTree}.
 *
 * @example
 * ```ts
 * import { readFileSync } from "node:fs";
 * import type { SpanRecord } from "@llmops/platform-local";
 *
 * const spans = readFileSync(".llmops/traces/2025-01-31.jsonl", "utf8")
 *   .split("\n")
 *   .filter(Boolean)
 *   .map((line) => JSON.parse(line) as SpanRecord);
 * ```
 */
export interface SpanRecord {
  /** 32 hex characters. */
  readonly traceId: string;
  /** 16 hex characters. */
  readonly spanId: string;
  /** The parent's span id; `null` for a root span. */
  readonly parentSpanId: string | null;
  /** The span's name, e.g. `OpenAI Chat Completions`. */
  readonly name: string;
  /** OpenTelemetry span kind by name: `INTERNAL`, `SERVER`, `CLIENT`, `PRODUCER` or `CONSUMER`. */
  readonly kind: string;
  /** Start time, ISO 8601 (UTC, millisecond precision). */
  readonly startTime: string;
  /** End time, ISO 8601 (UTC, millisecond precision). */
  readonly endTime: string;
  /** Duration in milliseconds, to the microsecond. */
  readonly durationMs: number;
  /** `UNSET`, `OK` or `ERROR`, with the message when there is one. */
  readonly status: { readonly code: "UNSET" | "OK" | "ERROR"; readonly message?: string };
  /** The span's attributes, e.g. `llm.model_name`, `llm.token_count.prompt`, `openinference.span.kind`. */
  readonly attributes: SpanRecordAttributes;
  /** Events (exceptions among them), in order. */
  readonly events: readonly { readonly name: string; readonly time: string; readonly attributes: SpanRecordAttributes }[];
  /** Attributes of the resource: `service.name`, `telemetry.sdk.*`, ... */
  readonly resource: SpanRecordAttributes;
  /** The instrumentation scope that created the span. */
  readonly scope: { readonly name: string; readonly version?: string };
}

/** Milliseconds since the epoch of an OpenTelemetry high-resolution time. */
export function hrTimeToMilliseconds(time: HrTime): number {
  return time[0] * 1e3 + time[1] / 1e6;
}

function isoTime(time: HrTime): string {
  return new Date(Math.floor(hrTimeToMilliseconds(time))).toISOString();
}

function statusName(code: SpanStatusCode): "UNSET" | "OK" | "ERROR" {
  return code === SpanStatusCode.ERROR ? "ERROR" : code === SpanStatusCode.OK ? "OK" : "UNSET";
}

function plainAttributes(attributes: Attributes | undefined): SpanRecordAttributes {
  return { ...(attributes ?? {}) };
}

/** Converts an ended span of the OpenTelemetry SDK to the JSON shape the local platform writes. */
export function toSpanRecord(span: ReadableSpan): SpanRecord {
  const context = span.spanContext();
  const scope = span.instrumentationScope;
  return {
    traceId: context.traceId,
    spanId: context.spanId,
    parentSpanId: span.parentSpanContext?.spanId ?? null,
    name: span.name,
    kind: SpanKind[span.kind] ?? String(span.kind),
    startTime: isoTime(span.startTime),
    endTime: isoTime(span.endTime),
    durationMs: Math.round(hrTimeToMilliseconds(span.duration) * 1e3) / 1e3,
    status: span.status.message === undefined || span.status.message === "" ? { code: statusName(span.status.code) } : { code: statusName(span.status.code), message: span.status.message },
    attributes: plainAttributes(span.attributes),
    events: span.events.map((event) => ({ name: event.name, time: isoTime(event.time), attributes: plainAttributes(event.attributes) })),
    resource: plainAttributes(span.resource.attributes),
    scope: scope.version === undefined ? { name: scope.name } : { name: scope.name, version: scope.version },
  };
}
