import type { Context, SpanContext } from "@opentelemetry/api";
import type { ReadableSpan, SdkSpan as Span, SpanProcessor } from "../contract/sdk-types";
import type { SpansConfig } from "../contract/config";
import { loadedOtelApi } from "../internal/otel-api";

/**
 * The span filter of llmops's own provider (`spans.filter`, on by default as `llm`): the LLM backend gets the spans
 * that say something about LLM work, not a web framework's bookkeeping.
 *
 * - Kept: spans of the LLM instrumentors, of `trace()` and of the app's own tracers, and any span with a GenAI
 *   attribute (`gen_ai.*`, OpenInference's `openinference.span.kind` or `llm.*`).
 * - Dropped: spans of framework and infrastructure instrumentation — Next.js's own tracer, the OpenTelemetry
 *   instrumentations (`@opentelemetry/instrumentation-http`, `-fs`, `-undici`, ...), `@vercel/otel`, Prisma — unless they
 *   carry a GenAI attribute.
 * - Parent links stay valid in the backend: a kept span whose parent was dropped points at its nearest kept ancestor.
 *   The local root of a trace that holds a kept span (the request span of a server) is kept as the trace's root,
 *   unless it ended, dropped, before that span ended (a response streamed past the request): the span then takes
 *   the root's own parent (absent, or the remote caller's).
 *
 * It sits in front of every processor of the provider, so that nothing behind it (the platform's processors, the
 * counting, the exporters) sees a dropped span; an app's own provider, if it runs one, is not llmops's and keeps
 * everything it gets. Nothing here throws into the app.
 */

/** Instrumentation scopes of frameworks and infrastructure: exact names. */
const NOISE_SCOPES = new Set(["next.js", "@vercel/otel", "@prisma/instrumentation", "prisma"]);
/** Instrumentation scopes of frameworks and infrastructure: prefixes. */
const NOISE_PREFIXES = ["@opentelemetry/instrumentation-", "@vercel/otel/"];

/** Whether a span's instrumentation scope is a framework's or infrastructure's (HTTP, fs, a database...). */
export function isFrameworkScope(scopeName: string): boolean {
  return NOISE_SCOPES.has(scopeName) || NOISE_PREFIXES.some((prefix) => scopeName.startsWith(prefix));
}

/**
 * Whether attributes say the span is about LLM work: GenAI semantic conventions or OpenInference's. `llm.cost.*` does
 * not count: the cost roll-up writes it on every ancestor of an LLM span (a framework's request and route spans too),
 * which says nothing about the span itself.
 */
export function hasGenAiAttributes(attributes: Readonly<Record<string, unknown>>): boolean {
  for (const key of Object.keys(attributes)) {
    if (key.startsWith("gen_ai.") || key === "openinference.span.kind") return true;
    if (key.startsWith("llm.") && !key.startsWith("llm.cost.")) return true;
  }
  return false;
}

/** What the filter keeps of one started span, in the provider's memory for as long as the span object lives. */
interface SpanNode {
  readonly context: SpanContext;
  /** The span's own parent as started: absent, remote, or a local span. */
  readonly parentContext: SpanContext | undefined;
  readonly parent: SpanNode | undefined;
  /** Kept whatever happens next: not a framework's span, or a GenAI attribute at start. */
  readonly keptAtStart: boolean;
  /** The nearest ancestor kept at start, if any. */
  readonly nearestKept: SpanNode | undefined;
  /** The local root of the trace (itself when it has no local parent). */
  readonly root: SpanNode | undefined;
  state: "open" | "exported" | "dropped";
  /** For a root: a kept descendant points at it, so it is kept when it ends. */
  needed: boolean;
}

/**
 * Puts the span filter in front of a provider's processors, or leaves them as they are for `spans.filter: all`.
 *
 * @param processors - the provider's processors, in order
 * @param spans - the `spans:` section
 */
export function filterSpans(processors: SpanProcessor[], spans: SpansConfig | undefined): SpanProcessor[] {
  return (spans?.filter ?? "llm") === "all" ? processors : [new SpanFilterProcessor(processors)];
}

/** Forwards every span's start to `inner`, and only the kept spans' ends, re-parented where their parent was dropped. */
export class SpanFilterProcessor implements SpanProcessor {
  private readonly nodes = new WeakMap<object, SpanNode>();

  constructor(private readonly inner: readonly SpanProcessor[]) {}

  onStart(span: Span, parentContext: Context): void {
    try {
      const parentSpan = loadedOtelApi()?.trace.getSpan(parentContext);
      const parent = parentSpan === undefined ? undefined : this.nodes.get(parentSpan);
      const keptAtStart = !isFrameworkScope(scopeOf(span)) || hasGenAiAttributes(span.attributes);
      const node: SpanNode = {
        context: span.spanContext(),
        parentContext: span.parentSpanContext,
        parent,
        keptAtStart,
        nearestKept: parent === undefined ? undefined : parent.keptAtStart ? parent : parent.nearestKept,
        root: parent === undefined ? undefined : (parent.root ?? parent),
        state: "open",
        needed: false,
      };
      this.nodes.set(span, node);
    } catch {
      // A span of another shape: it goes through unfiltered (no node).
    }
    for (const processor of this.inner) processor.onStart(span, parentContext);
  }

  onEnding(span: Span): void {
    for (const processor of this.inner) processor.onEnding?.(span);
  }

  onEnd(span: ReadableSpan): void {
    const node = this.nodes.get(span);
    if (node === undefined) {
      this.forward(span);
      return;
    }
    const keep = node.keptAtStart || hasGenAiAttributes(span.attributes) || (node.root === undefined && node.needed);
    node.state = keep ? "exported" : "dropped";
    if (!keep) return;
    const parent = keptParent(node);
    this.forward(parent === node.parentContext ? span : withParent(span, parent));
  }

  forceFlush(): Promise<void> {
    return Promise.all(this.inner.map((processor) => processor.forceFlush())).then(() => {});
  }

  shutdown(): Promise<void> {
    return Promise.all(this.inner.map((processor) => processor.shutdown())).then(() => {});
  }

  private forward(span: ReadableSpan): void {
    for (const processor of this.inner) processor.onEnd(span);
  }
}

/** The parent a kept span is exported with: its own when that one is kept, else its nearest kept ancestor. */
function keptParent(node: SpanNode): SpanContext | undefined {
  const parent = node.parent;
  if (parent === undefined || parent.keptAtStart) return node.parentContext;
  if (node.nearestKept !== undefined) return node.nearestKept.context;
  const root = node.root ?? parent;
  if (root.state === "dropped") return root.parentContext;
  root.needed = true;
  return root.context;
}

/** The span as the processors behind the filter see it: the same span, with another parent. */
function withParent(span: ReadableSpan, parent: SpanContext | undefined): ReadableSpan {
  return new Proxy(span, {
    get(target, property) {
      if (property === "parentSpanContext") return parent;
      if (property === "parentSpanId") return parent?.spanId;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function scopeOf(span: Span): string {
  const scoped = span as { instrumentationScope?: { name?: string }; instrumentationLibrary?: { name?: string } };
  return scoped.instrumentationScope?.name ?? scoped.instrumentationLibrary?.name ?? "";
}
