import type { Attributes, Context, DiagLogger, Link, SpanKind } from "@opentelemetry/api";
import type { ReadableSpan, SdkSpan as Span, SpanProcessor } from "../contract/sdk-types";
import type { Sampler, SamplingResult } from "@opentelemetry/sdk-trace-base";
import type { SamplingConfig } from "../contract/pricing";
import type { PolicyCounters } from "./policy-counters";

/** `SamplingDecision` and `TraceFlags.SAMPLED` of the SDK and the API, spelled out so this module loads nothing at import. */
const NOT_RECORD = 0;
const RECORD = 1;
const SAMPLED_FLAG = 1;
/** `SpanStatusCode.ERROR`. */
const STATUS_ERROR = 2;

/** Spans held at most while their trace waits for the keep rules. */
const DEFAULT_MAX_BUFFERED_SPANS = 10_000;
/** Decisions remembered for spans that end after their trace's local root. */
const MAX_REMEMBERED_DECISIONS = 1_000;

/** The ratio in force and where it came from. */
export interface RatioChoice {
  /** Share of traces kept, 0 to 1. */
  readonly ratio: number;
  /** Child spans follow their parent's decision (`parentbased_*`); else each span decides by its trace id alone. */
  readonly parentBased: boolean;
  /** `sampling.ratio`, `OTEL_TRACES_SAMPLER` or `default`, for messages. */
  readonly source: string;
}

/** The values of `OTEL_TRACES_SAMPLER` llmops applies; the others (`jaeger_remote`, `xray`...) need a plugin. */
const ENV_SAMPLERS: Readonly<Record<string, { readonly ratio?: number; readonly parentBased: boolean }>> = {
  always_on: { ratio: 1, parentBased: false },
  always_off: { ratio: 0, parentBased: false },
  traceidratio: { parentBased: false },
  parentbased_always_on: { ratio: 1, parentBased: true },
  parentbased_always_off: { ratio: 0, parentBased: true },
  parentbased_traceidratio: { parentBased: true },
};

/**
 * The ratio in force, by precedence: `sampling.ratio` (from `instrument({ overrides })`, `LLMOPS_SAMPLING_RATIO` or the
 * config, in that order; always parent-based) › `OTEL_TRACES_SAMPLER` with `OTEL_TRACES_SAMPLER_ARG` › keep every
 * trace (parent-based). A generic OpenTelemetry variable never overrides llmops's own setting; when it is set and not
 * used, or not understood, a warning names it.
 */
export function chooseRatio(config: SamplingConfig | undefined, env: Readonly<Record<string, string | undefined>>, logger: DiagLogger): RatioChoice {
  const named = env.OTEL_TRACES_SAMPLER?.trim().toLowerCase();
  if (config?.ratio !== undefined) {
    if (named !== undefined && named !== "") logger.warn(`OTEL_TRACES_SAMPLER is set and not used: sampling.ratio (${config.ratio}) decides which traces are kept.`);
    return { ratio: config.ratio, parentBased: true, source: "sampling.ratio" };
  }
  if (named === undefined || named === "") return { ratio: 1, parentBased: true, source: "default" };
  const known = Object.hasOwn(ENV_SAMPLERS, named) ? ENV_SAMPLERS[named] : undefined;
  if (known === undefined) {
    logger.warn(`OTEL_TRACES_SAMPLER=${named} is not one llmops applies (${Object.keys(ENV_SAMPLERS).join(", ")}); every trace is kept. Set sampling.ratio to sample.`);
    return { ratio: 1, parentBased: true, source: "default" };
  }
  if (known.ratio !== undefined) return { ratio: known.ratio, parentBased: known.parentBased, source: "OTEL_TRACES_SAMPLER" };
  const raw = env.OTEL_TRACES_SAMPLER_ARG?.trim() ?? "";
  const ratio = raw === "" ? Number.NaN : Number(raw);
  if (!(ratio >= 0 && ratio <= 1)) {
    logger.warn(`OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1 for OTEL_TRACES_SAMPLER=${named}; every trace is kept (ratio 1), as the OpenTelemetry SDK does.`);
    return { ratio: 1, parentBased: known.parentBased, source: "OTEL_TRACES_SAMPLER" };
  }
  return { ratio, parentBased: known.parentBased, source: "OTEL_TRACES_SAMPLER" };
}

/** True when `sampling:` asks to keep traces by what happens in them (errors, latency). */
export function hasKeepRules(config: SamplingConfig | undefined): boolean {
  return config?.keepErrors === true || config?.keepSlowerThanMs !== undefined;
}

/** The SDK's samplers, passed in so that this module imports nothing at load. */
export interface SamplerClasses {
  readonly ParentBasedSampler: new (config: { root: Sampler }) => Sampler;
  readonly TraceIdRatioBasedSampler: new (ratio?: number) => Sampler;
}

/**
 * The sampler of the provider: `ParentBased(TraceIdRatioBased(ratio))` (or the ratio alone for the non-parent-based
 * `OTEL_TRACES_SAMPLER` values), so a trace is kept or dropped whole, in every process that propagates its context.
 * Each span it drops is counted as sampled out. With keep rules, a span the ratio drops is still recorded here (not
 * flagged sampled, so nothing downstream keeps it on its account) for {@link KeepRulesProcessor} to decide on.
 */
export class CountingSampler implements Sampler {
  private readonly inner: Sampler;

  constructor(
    classes: SamplerClasses,
    choice: RatioChoice,
    private readonly counters: PolicyCounters,
    private readonly recordForRules: boolean,
  ) {
    const root = new classes.TraceIdRatioBasedSampler(choice.ratio);
    this.inner = choice.parentBased ? new classes.ParentBasedSampler({ root }) : root;
  }

  shouldSample(context: Context, traceId: string, spanName: string, spanKind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    const result = this.inner.shouldSample(context, traceId, spanName, spanKind, attributes, links);
    if (result.decision !== NOT_RECORD) return result;
    if (this.recordForRules) return { ...result, decision: RECORD };
    this.counters.sampledOut++;
    return result;
  }

  toString(): string {
    return `llmops(${this.inner.toString()})`;
  }
}

interface HeldTrace {
  readonly spans: ReadableSpan[];
  error: boolean;
}

/**
 * Applies the keep rules of `sampling:` to the traces the ratio left out: it sits in front of the export processors,
 * passes sampled spans straight on, and holds the others (recorded, not sampled) per trace until the trace's local
 * root ends. Then the trace is kept (every span passed on, flagged sampled) if a span of it has status ERROR
 * (`keep_errors`) or the local root lasted `keep_slower_than_ms` or more; else its spans are counted as sampled out.
 * A span that ends after its local root follows the decision. At most `max_buffered_spans` spans are held: beyond
 * it the oldest trace is decided on what is known so far (kept if it has an error). It never throws.
 */
export class KeepRulesProcessor implements SpanProcessor {
  private readonly held = new Map<string, HeldTrace>();
  private readonly decided = new Map<string, boolean>();
  private heldSpans = 0;
  private readonly maxBufferedSpans: number;

  constructor(
    private readonly inner: readonly SpanProcessor[],
    private readonly config: SamplingConfig,
    private readonly counters: PolicyCounters,
  ) {
    this.maxBufferedSpans = config.maxBufferedSpans ?? DEFAULT_MAX_BUFFERED_SPANS;
  }

  /** Spans held right now, waiting for their trace's decision. */
  heldCount(): number {
    return this.heldSpans;
  }

  onStart(span: Span, parentContext: Context): void {
    for (const processor of this.inner) processor.onStart(span, parentContext);
  }

  onEnding(span: Span): void {
    for (const processor of this.inner) processor.onEnding?.(span);
  }

  onEnd(span: ReadableSpan): void {
    const context = span.spanContext();
    if ((context.traceFlags & SAMPLED_FLAG) !== 0) return this.pass(span);
    try {
      this.hold(span, context.traceId);
    } catch {
      // A span of another shape: it is left out, as the ratio decided.
      this.counters.sampledOut++;
    }
  }

  forceFlush(): Promise<void> {
    return Promise.all(this.inner.map((processor) => processor.forceFlush())).then(() => {});
  }

  /** Decides every trace still held on what is known (kept if it has an error), then shuts the processors behind down. */
  shutdown(): Promise<void> {
    for (const [traceId, trace] of [...this.held]) this.decide(traceId, trace, trace.error && this.config.keepErrors === true);
    return Promise.all(this.inner.map((processor) => processor.shutdown())).then(() => {});
  }

  private hold(span: ReadableSpan, traceId: string): void {
    const earlier = this.decided.get(traceId);
    if (earlier !== undefined) {
      if (earlier) this.pass(sampledView(span));
      else this.counters.sampledOut++;
      return;
    }
    let trace = this.held.get(traceId);
    if (trace === undefined) {
      trace = { spans: [], error: false };
      this.held.set(traceId, trace);
    }
    trace.spans.push(span);
    this.heldSpans++;
    if (span.status.code === STATUS_ERROR) trace.error = true;
    const parent = span.parentSpanContext;
    if (parent === undefined || parent.isRemote === true) {
      this.decide(traceId, trace, this.keeps(trace, span));
      return;
    }
    while (this.heldSpans > this.maxBufferedSpans) {
      const oldest = this.held.entries().next().value;
      if (oldest === undefined) break;
      this.decide(oldest[0], oldest[1], oldest[1].error && this.config.keepErrors === true);
    }
  }

  private keeps(trace: HeldTrace, root: ReadableSpan): boolean {
    if (this.config.keepErrors === true && trace.error) return true;
    const threshold = this.config.keepSlowerThanMs;
    if (threshold === undefined) return false;
    const [seconds, nanos] = root.duration;
    return seconds * 1_000 + nanos / 1e6 >= threshold;
  }

  private decide(traceId: string, trace: HeldTrace, keep: boolean): void {
    this.held.delete(traceId);
    this.heldSpans -= trace.spans.length;
    if (this.decided.size >= MAX_REMEMBERED_DECISIONS) {
      const oldest = this.decided.keys().next().value;
      if (oldest !== undefined) this.decided.delete(oldest);
    }
    this.decided.set(traceId, keep);
    if (!keep) {
      this.counters.sampledOut += trace.spans.length;
      return;
    }
    for (const span of trace.spans) this.pass(sampledView(span));
  }

  private pass(span: ReadableSpan): void {
    for (const processor of this.inner) {
      try {
        processor.onEnd(span);
      } catch {
        // Each export processor contains its own failures; one that throws anyway must not stop the others.
      }
    }
  }
}

/** The span as a kept one: the same span, flagged sampled, so the export processors take it. */
function sampledView(span: ReadableSpan): ReadableSpan {
  const original = span.spanContext();
  const context = { ...original, traceFlags: original.traceFlags | SAMPLED_FLAG };
  const view = Object.create(span) as ReadableSpan;
  Object.defineProperty(view, "spanContext", { value: () => context });
  return view;
}
