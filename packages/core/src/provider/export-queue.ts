import { getHeapStatistics } from "node:v8";
import type { ReadableSpan } from "../contract/sdk-types";

/**
 * What an ended span costs in the heap while it waits in the export queue, before its attributes: the span object,
 * its context, timestamps, status, the attribute map's shape. Measured on the SDK's `Span` with Node 20–24 (≈ 900
 * bytes for a span with five short attributes sharing their strings), rounded so the estimate errs on the high side.
 */
const SPAN_BYTES = 700;
/** One attribute's slot in the map and its key. */
const ATTRIBUTE_BYTES = 40;
/** A number, boolean or array element that is not a string. */
const VALUE_BYTES = 16;
/** One event or link, with its own small attribute map. */
const EVENT_BYTES = 200;

/** The largest default budget: what a burst may hold when the heap limit is large. */
const MAX_DEFAULT_BUDGET_BYTES = 256 * 1024 * 1024;
/** The default budget is at most this share of the heap limit, so a small container keeps room for the app. */
const HEAP_SHARE = 8;

const MEGABYTE = 1024 * 1024;

/**
 * A cheap estimate of the memory a span holds while queued for export: a fixed part plus its attributes (key and
 * string lengths), events and links. Read once per span on its way into the queue; no serialisation.
 */
export function estimateSpanBytes(span: ReadableSpan): number {
  let bytes = SPAN_BYTES + span.name.length;
  const attributes = span.attributes;
  for (const key in attributes) {
    const value = attributes[key];
    bytes += ATTRIBUTE_BYTES + key.length;
    if (typeof value === "string") bytes += value.length;
    else if (Array.isArray(value)) for (const item of value as unknown[]) bytes += typeof item === "string" ? item.length + 8 : VALUE_BYTES;
    else bytes += VALUE_BYTES;
  }
  const events = span.events.length + span.links.length;
  return events === 0 ? bytes : bytes + events * EVENT_BYTES;
}

/** The bound of one export queue: in estimated bytes, in spans, or both. */
export interface QueueLimit {
  /** Estimated bytes the queue may hold; undefined: no memory bound. */
  readonly maxBytes?: number;
  /** Spans the queue may hold (`OTEL_BSP_MAX_QUEUE_SIZE`); undefined: no count bound. */
  readonly maxSpans?: number;
  /** The bound in words, for the drop warning, e.g. `256 MB of spans (export.queue_memory_mb)`. */
  readonly description: string;
  /** What to change to raise it. */
  readonly fix: string;
}

/**
 * The default memory budget of an export queue: an eighth of the heap limit, at most 256 MB. A burst of spans
 * ending faster than the backend takes them is held up to this much; memory is used only while a burst lasts.
 */
export function defaultQueueBytes(heapLimitBytes: number = getHeapStatistics().heap_size_limit): number {
  return Math.min(MAX_DEFAULT_BUDGET_BYTES, Math.floor(heapLimitBytes / HEAP_SHARE));
}

/**
 * The queue bound in force: `export.queue_memory_mb` (or `LLMOPS_EXPORT_QUEUE_MEMORY_MB`) when set; else
 * `OTEL_BSP_MAX_QUEUE_SIZE` when set, as a span count, the way the SDK reads it; else the default memory budget. Both
 * set: both bounds hold.
 */
export function resolveQueueLimit(queueMemoryMb: number | undefined, env: Readonly<Record<string, string | undefined>> = process.env): QueueLimit {
  const raw = env.OTEL_BSP_MAX_QUEUE_SIZE?.trim();
  const spans = raw === undefined || raw === "" ? Number.NaN : Number(raw);
  const maxSpans = Number.isNaN(spans) ? undefined : spans;
  const memoryFix = "raise export.queue_memory_mb (or LLMOPS_EXPORT_QUEUE_MEMORY_MB)";
  if (queueMemoryMb !== undefined) {
    const bytes = Math.floor(queueMemoryMb * MEGABYTE);
    const memory = `${queueMemoryMb} MB of spans (export.queue_memory_mb)`;
    return maxSpans === undefined
      ? { maxBytes: bytes, description: memory, fix: memoryFix }
      : { maxBytes: bytes, maxSpans, description: `${memory} and ${maxSpans} spans (OTEL_BSP_MAX_QUEUE_SIZE)`, fix: `${memoryFix} or OTEL_BSP_MAX_QUEUE_SIZE` };
  }
  if (maxSpans !== undefined) {
    return { maxSpans, description: `${maxSpans} spans, OTEL_BSP_MAX_QUEUE_SIZE`, fix: "raise OTEL_BSP_MAX_QUEUE_SIZE, or unset it to bound the queue by memory (export.queue_memory_mb)" };
  }
  const bytes = defaultQueueBytes();
  return { maxBytes: bytes, description: `${Math.round(bytes / MEGABYTE)} MB of spans, the default`, fix: memoryFix };
}

/**
 * The estimated sizes of the spans in one export queue, oldest first: a span's size is added as it enters the queue
 * and taken off as the batch processor hands it to the exporter, which it does in the order the spans came.
 */
export class QueueMemory {
  /** Estimated bytes queued now. */
  bytes = 0;
  private sizes: number[] = [];
  private head = 0;

  /** A span entered the queue. */
  add(bytes: number): void {
    this.sizes.push(bytes);
    this.bytes += bytes;
  }

  /** The span just added did not enter after all (its processor threw). */
  undoLast(): void {
    if (this.sizes.length <= this.head) return;
    this.bytes -= this.sizes.pop() ?? 0;
  }

  /** The `count` oldest spans left the queue. */
  release(count: number): void {
    const end = Math.min(this.head + count, this.sizes.length);
    for (let index = this.head; index < end; index++) this.bytes -= this.sizes[index] ?? 0;
    this.head = end;
    if (this.head === this.sizes.length) {
      this.sizes = [];
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.sizes.length) {
      this.sizes = this.sizes.slice(this.head);
      this.head = 0;
    }
  }
}
