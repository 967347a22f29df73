import type { DiagLogger } from "@opentelemetry/api";
import type { SdkSpan as Span, SpanProcessor } from "../contract/sdk-types";
import type { PolicyCounters } from "./policy-counters";
import type { Cost, PriceList } from "./pricing";
import { computeCost } from "./pricing";

/** OpenInference attribute names read and written. */
const SPAN_KIND = "openinference.span.kind";
const MODEL_NAME = "llm.model_name";
const PROMPT_TOKENS = "llm.token_count.prompt";
const COMPLETION_TOKENS = "llm.token_count.completion";
const CACHE_READ_TOKENS = "llm.token_count.prompt_details.cache_read";
const CACHE_WRITE_TOKENS = "llm.token_count.prompt_details.cache_write";
export const COST_PROMPT = "llm.cost.prompt";
export const COST_COMPLETION = "llm.cost.completion";
export const COST_TOTAL = "llm.cost.total";
const COST_CACHE_READ = "llm.cost.prompt_details.cache_read";
const COST_CACHE_WRITE = "llm.cost.prompt_details.cache_write";
/** Written only when a price is not in US dollars, the unit OpenInference gives `llm.cost.*`. */
export const COST_CURRENCY = "llmops.cost.currency";

/**
 * Span records kept at most over all traces (a cost waiting for its parent, an ended span to skip): about 100 bytes
 * each. Beyond it the least recently touched traces are forgotten.
 */
const DEFAULT_MAX_RECORDS = 20_000;
/** Ancestors walked at most to skip parents that already ended. */
const MAX_WALK = 64;

/** A running sum: the cost of a span's descendants (and its own), waiting for the span to end. */
interface Sum {
  prompt: number;
  completion: number;
  total: number;
  readonly currency: string;
}

/** What is kept of one trace while its local root is open. */
interface TraceCosts {
  /** Span id → the cost of its ended descendants, added to it when it ends. */
  readonly pending: Map<string, Sum>;
  /** Span id → parent span id of spans that ended, so that a late child's cost goes to the nearest open ancestor. */
  readonly ended: Map<string, string | undefined>;
}

/** Options of {@link CostSpanProcessor}. */
export interface CostSpanProcessorOptions {
  /** Where unpriced models are counted. */
  readonly counters: PolicyCounters;
  /** Where a once-only note goes (a trace mixing currencies). */
  readonly logger: DiagLogger;
  /** Span records kept at most over all traces (default 20,000); the least recently touched traces go first. */
  readonly maxRecords?: number;
}

/**
 * Puts a cost on LLM spans and the sum of their costs on every ancestor, before any exporter sees the spans: it
 * works in `onEnding`, while a span can still take attributes, and sits among the processors before the exporters'.
 *
 * - An LLM span (`openinference.span.kind` = `LLM`) with a priced `llm.model_name` and token counts gets
 *   `llm.cost.prompt`, `llm.cost.completion`, `llm.cost.total` (and `llm.cost.prompt_details.cache_read`/`cache_write`
 *   when the span counted cache tokens). A model with no price gets none and is counted by name. A span that already
 *   has `llm.cost.total` (set by its instrumentor or the app) keeps it, and that figure is added up.
 * - Any span with descendants that had a cost gets the sum when it ends (its own cost included): an agent's cost is
 *   on the agent, a trace's cost on its root. Children end before their parents as a rule; a child that ends after its
 *   parent adds its cost to the nearest ancestor still open (the parent is already on its way to the backend).
 * - Bookkeeping is per trace, dropped when the trace's local root ends, and bounded (`maxRecords`): the least
 *   recently touched traces are forgotten first, so spans that never end hold nothing for long.
 *
 * It never throws.
 */
export class CostSpanProcessor implements SpanProcessor {
  private readonly traces = new Map<string, TraceCosts>();
  private readonly maxRecords: number;
  private records = 0;
  private warnedCurrency = false;

  /**
   * @param prices - the prices in force
   * @param options - counters, logger, bound
   */
  constructor(
    private readonly prices: PriceList,
    private readonly options: CostSpanProcessorOptions,
  ) {
    this.maxRecords = options.maxRecords ?? DEFAULT_MAX_RECORDS;
  }

  /** Traces and span records held right now (what the bound limits). */
  held(): { traces: number; records: number } {
    return { traces: this.traces.size, records: this.records };
  }

  onStart(): void {}

  onEnding(span: Span): void {
    try {
      this.settle(span);
    } catch {
      // A span of another shape or one that rejects attributes: it goes on without a cost.
    }
  }

  onEnd(): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.traces.clear();
    this.records = 0;
    return Promise.resolve();
  }

  private settle(span: Span): void {
    const attributes = span.attributes;
    const own = attributes[SPAN_KIND] === "LLM" ? this.ownCost(span) : undefined;
    const { traceId, spanId } = span.spanContext();
    const parent = span.parentSpanContext;
    let trace = this.traces.get(traceId);
    const children = trace?.pending.get(spanId);
    if (children !== undefined) {
      trace?.pending.delete(spanId);
      this.records--;
    }
    const sum = children === undefined ? own : own === undefined ? children : this.add(children, own);
    if (children !== undefined && sum !== undefined) write(span, sum);
    // The local root (no parent, or one in another process) ends its trace here.
    if (parent === undefined || parent.isRemote === true) {
      if (trace !== undefined) this.forget(traceId, trace);
      return;
    }
    if (trace === undefined && sum === undefined) return;
    trace = this.touch(traceId, trace);
    trace.ended.set(spanId, parent.spanId);
    this.records++;
    if (sum === undefined) return this.bound(traceId);
    // The nearest ancestor still open: a parent that ended first is skipped.
    let target: string | undefined = parent.spanId;
    for (let step = 0; step < MAX_WALK && target !== undefined && trace.ended.has(target); step++) target = trace.ended.get(target);
    if (target === undefined || trace.ended.has(target)) return;
    const waiting = trace.pending.get(target);
    if (waiting !== undefined) this.add(waiting, sum);
    else {
      trace.pending.set(target, { prompt: sum.prompt, completion: sum.completion, total: sum.total, currency: sum.currency });
      this.records++;
    }
    this.bound(traceId);
  }

  /** Forgets the least recently touched traces (never `current`) while more records are held than allowed. */
  private bound(current: string): void {
    while (this.records > this.maxRecords) {
      const oldest = this.traces.entries().next().value;
      if (oldest === undefined || oldest[0] === current) return;
      this.forget(oldest[0], oldest[1]);
    }
  }

  private forget(traceId: string, trace: TraceCosts): void {
    this.traces.delete(traceId);
    this.records -= trace.pending.size + trace.ended.size;
  }

  /** The cost of an LLM span, written on it; undefined when it has none. */
  private ownCost(span: Span): Sum | undefined {
    const attributes = span.attributes;
    const given = attributes[COST_TOTAL];
    if (typeof given === "number") {
      const currency = attributes[COST_CURRENCY];
      return { prompt: number(attributes[COST_PROMPT]) ?? 0, completion: number(attributes[COST_COMPLETION]) ?? 0, total: given, currency: typeof currency === "string" ? currency : "USD" };
    }
    const model = attributes[MODEL_NAME];
    if (typeof model !== "string" || model === "") return undefined;
    const tokens = {
      prompt: number(attributes[PROMPT_TOKENS]),
      completion: number(attributes[COMPLETION_TOKENS]),
      cacheRead: number(attributes[CACHE_READ_TOKENS]),
      cacheWrite: number(attributes[CACHE_WRITE_TOKENS]),
    };
    if (tokens.prompt === undefined && tokens.completion === undefined) return undefined;
    const found = this.prices.find(model);
    if (found === undefined) {
      this.options.counters.countUnpriced(model);
      return undefined;
    }
    const cost = computeCost(found.price, tokens);
    if (cost === undefined) return undefined;
    writeOwn(span, cost);
    return { prompt: cost.prompt, completion: cost.completion, total: cost.total, currency: cost.currency };
  }

  /** Adds `more` into `into` (same currency only) and returns `into`. */
  private add(into: Sum, more: Sum): Sum {
    if (into.currency !== more.currency) {
      if (!this.warnedCurrency) {
        this.warnedCurrency = true;
        this.options.logger.debug(`a trace mixes prices in ${into.currency} and ${more.currency}; parents add up the costs in ${into.currency} only.`);
      }
      return into;
    }
    into.prompt += more.prompt;
    into.completion += more.completion;
    into.total += more.total;
    return into;
  }

  /** The trace's record, created if needed and made the most recently used; the least recently used goes beyond the bound. */
  private touch(traceId: string, existing: TraceCosts | undefined): TraceCosts {
    if (existing !== undefined) {
      this.traces.delete(traceId);
      this.traces.set(traceId, existing);
      return existing;
    }
    const created: TraceCosts = { pending: new Map(), ended: new Map() };
    this.traces.set(traceId, created);
    return created;
  }
}

function number(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

function writeOwn(span: Span, cost: Cost): void {
  write(span, cost);
  // Only when cache tokens were counted: a zero count (OpenAI reports one on every call) adds nothing worth a write.
  if (cost.cacheRead !== undefined && cost.cacheRead > 0) span.setAttribute(COST_CACHE_READ, cost.cacheRead);
  if (cost.cacheWrite !== undefined && cost.cacheWrite > 0) span.setAttribute(COST_CACHE_WRITE, cost.cacheWrite);
}

function write(span: Span, cost: { prompt: number; completion: number; total: number; currency: string }): void {
  span.setAttribute(COST_PROMPT, cost.prompt);
  span.setAttribute(COST_COMPLETION, cost.completion);
  span.setAttribute(COST_TOTAL, cost.total);
  if (cost.currency !== "USD") span.setAttribute(COST_CURRENCY, cost.currency);
}
