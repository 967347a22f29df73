import { context, diag, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Attributes, Context, Span, Tracer, TracerProvider } from "@opentelemetry/api";
import { InstrumentationBase, InstrumentationNodeModuleDefinition } from "@opentelemetry/instrumentation";
import type { InstrumentationConfig } from "@opentelemetry/instrumentation";
import { generateTraceConfig, getAttributesFromContext, OITracer } from "@arizeai/openinference-core";
import type { TraceConfigOptions } from "@arizeai/openinference-core";
import { countTokensRequestAttributes, countTokensResponseAttributes, embeddingRequestAttributes, embeddingResponseAttributes, llmRequestAttributes, llmResponseAttributes } from "./attributes";
import type { GenAICountTokensResponse, GenAIEmbedResponse, GenAIParams, GenAIResponse } from "./genai-types";
import { endWithError, TracedStream } from "./traced-stream";
import { VERSION } from "./version";

/** The module this instrumentation patches, and the majors it knows. */
const MODULE_NAME = "@google/genai";
const SUPPORTED_VERSIONS = [">=1.0.0 <4"];
/** Marks a `Models.prototype` already patched by this package (any copy of it): a second patch would double the spans. */
const PATCHED = Symbol.for("@llmops/instrumentation-google-genai.patched");

/** The methods the client assigns to each `Models` instance in its constructor (instance arrow functions). */
const ASSIGNED_METHODS = ["generateContent", "generateContentStream", "embedContent"] as const;
type AssignedMethod = (typeof ASSIGNED_METHODS)[number];
type Method = (params: GenAIParams) => Promise<unknown>;

/** What one traced method records: its span, the request's attributes, and the response's (none: a stream). */
interface TracedCall {
  readonly method: string;
  readonly spanName: string;
  readonly request: (params: GenAIParams, system: string | undefined) => Attributes;
  readonly response?: (response: unknown) => Attributes;
}

/** Built once: the hot path looks its call up, it makes no closure per call. */
const TRACED_CALLS: Readonly<Record<AssignedMethod | "countTokens", TracedCall>> = {
  generateContent: {
    method: "generateContent",
    spanName: "GoogleGenAI generateContent",
    request: llmRequestAttributes,
    response: (response) => llmResponseAttributes(response as GenAIResponse),
  },
  generateContentStream: { method: "generateContentStream", spanName: "GoogleGenAI generateContentStream", request: llmRequestAttributes },
  embedContent: {
    method: "embedContent",
    spanName: "GoogleGenAI embedContent",
    request: (params) => embeddingRequestAttributes(params),
    response: (response) => embeddingResponseAttributes(response as GenAIEmbedResponse),
  },
  countTokens: {
    method: "countTokens",
    spanName: "GoogleGenAI countTokens",
    request: (params) => countTokensRequestAttributes(params),
    response: (response) => countTokensResponseAttributes(response as GenAICountTokensResponse),
  },
};

/**
 * Options of {@link GoogleGenAIInstrumentation}, shaped like the OpenInference instrumentations' options.
 *
 * @example
 * ```ts
 * import { GoogleGenAIInstrumentation } from "@llmops/instrumentation-google-genai";
 * const instrumentation = new GoogleGenAIInstrumentation({ traceConfig: { hideInputs: true } });
 * ```
 */
export interface GoogleGenAIInstrumentationOptions {
  /** OpenTelemetry's instrumentation options (`enabled`, ...). */
  readonly instrumentationConfig?: InstrumentationConfig;
  /** OpenInference's trace config: what to leave out of spans (`hideInputs`, `hideOutputMessages`, ...). */
  readonly traceConfig?: TraceConfigOptions;
  /** The TracerProvider to use instead of the global one. */
  readonly tracerProvider?: TracerProvider;
}

interface PatchedPrototype {
  [PATCHED]?: Map<string, PropertyDescriptor | undefined>;
  countTokens?: unknown;
}

/**
 * OpenTelemetry instrumentation of `@google/genai` 1.x to 3.x: OpenInference LLM spans for `models.generateContent`
 * and `generateContentStream` (and so for chats, which call them), EMBEDDING spans for `models.embedContent`, and a
 * span for `models.countTokens`.
 *
 * The client assigns `generateContent`, `generateContentStream` and `embedContent` to each `Models` instance in its
 * constructor, so patching the prototype's methods would not reach them: the instrumentation puts an accessor on
 * `Models.prototype` whose setter wraps what the constructor assigns. Clients built after the patch are traced;
 * clients built before it are not.
 *
 * @example
 * ```ts
 * import { NodeTracerProvider, SimpleSpanProcessor, ConsoleSpanExporter } from "@opentelemetry/sdk-trace-node";
 * import { registerInstrumentations } from "@opentelemetry/instrumentation";
 * import { GoogleGenAIInstrumentation } from "@llmops/instrumentation-google-genai";
 *
 * const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new ConsoleSpanExporter())] });
 * provider.register();
 * registerInstrumentations({ instrumentations: [new GoogleGenAIInstrumentation()] });
 * // ESM or bundled apps: hand the module in instead
 * // new GoogleGenAIInstrumentation().manuallyInstrument(await import("@google/genai"));
 * ```
 */
export class GoogleGenAIInstrumentation extends InstrumentationBase<InstrumentationConfig> {
  /** Whether the wrappers trace: on with `enable()` or `manuallyInstrument()`, off with `disable()`. */
  private tracing: boolean;
  /** The tracer spans start from: OpenInference's masking tracer when the trace config hides anything. */
  private spanTracer: Tracer;
  private readonly masking: boolean;
  private readonly traceConfig: TraceConfigOptions | undefined;

  constructor(options: GoogleGenAIInstrumentationOptions = {}) {
    super("@llmops/instrumentation-google-genai", VERSION, { ...options.instrumentationConfig });
    this.traceConfig = options.traceConfig;
    // Resolved once (options, then OPENINFERENCE_HIDE_* variables): with nothing hidden, spans skip the masking layer.
    const resolved = generateTraceConfig(options.traceConfig ?? {});
    this.masking = Object.entries(resolved).some(([key, value]) => key.startsWith("hide") && value === true);
    if (options.tracerProvider !== undefined) super.setTracerProvider(options.tracerProvider);
    this.spanTracer = this.masking ? new OITracer({ tracer: this.tracer, traceConfig: this.traceConfig }) : this.tracer;
    this.tracing = this.isEnabled();
  }

  override setTracerProvider(tracerProvider: TracerProvider): void {
    super.setTracerProvider(tracerProvider);
    this.spanTracer = this.masking ? new OITracer({ tracer: this.tracer, traceConfig: this.traceConfig }) : this.tracer;
  }

  override enable(): void {
    super.enable();
    this.tracing = true;
  }

  override disable(): void {
    super.disable();
    this.tracing = false;
  }

  protected init(): InstrumentationNodeModuleDefinition {
    return new InstrumentationNodeModuleDefinition(
      MODULE_NAME,
      SUPPORTED_VERSIONS,
      (moduleExports: unknown) => {
        this.patch(moduleExports);
        return moduleExports;
      },
      (moduleExports: unknown) => {
        this.unpatch(moduleExports);
        return moduleExports;
      },
    );
  }

  /**
   * Patches a copy of `@google/genai` the app already loaded: for ES modules (`import * as genai`) and bundles,
   * where require hooks do not see the module. Turns tracing on.
   *
   * @example
   * ```ts
   * import * as genai from "@google/genai";
   * import { GoogleGenAIInstrumentation } from "@llmops/instrumentation-google-genai";
   * new GoogleGenAIInstrumentation().manuallyInstrument(genai);
   * const ai = new genai.GoogleGenAI({ apiKey: process.env.GEMINI_API_KEY });
   * ```
   */
  manuallyInstrument(moduleExports: unknown): void {
    this.tracing = true;
    this.patch(moduleExports);
  }

  private patch(moduleExports: unknown): void {
    const Models = (moduleExports as { Models?: { prototype?: object } } | null)?.Models;
    const prototype = Models?.prototype as (PatchedPrototype & object) | undefined;
    if (prototype === undefined || prototype === null) {
      diag.warn(`${MODULE_NAME}: no Models class in the module handed in; nothing patched`);
      return;
    }
    if (prototype[PATCHED] !== undefined) return;
    const saved = new Map<string, PropertyDescriptor | undefined>();
    for (const name of ASSIGNED_METHODS) {
      const existing = Object.getOwnPropertyDescriptor(prototype, name);
      if (existing !== undefined && existing.configurable !== true) continue;
      saved.set(name, existing);
      this.interceptAssignment(prototype, name);
    }
    if (typeof prototype.countTokens === "function") {
      const traceCountTokens = (original: Method, models: unknown, params: GenAIParams): Promise<unknown> => this.traceCall(TRACED_CALLS.countTokens, original, models, params, undefined);
      this._wrap(
        prototype as { countTokens: Method },
        "countTokens",
        (original: Method) =>
          // A prototype method: `this` is the Models instance.
          function tracedCountTokens(this: unknown, params: GenAIParams) {
            return traceCountTokens(original, this, params);
          },
      );
    }
    Object.defineProperty(prototype, PATCHED, { value: saved, configurable: true, enumerable: false, writable: false });
  }

  private unpatch(moduleExports: unknown): void {
    const prototype = (moduleExports as { Models?: { prototype?: PatchedPrototype } } | null)?.Models?.prototype;
    const saved = prototype?.[PATCHED];
    if (prototype === undefined || saved === undefined) return;
    for (const [name, descriptor] of saved) {
      if (descriptor === undefined) delete (prototype as Record<string, unknown>)[name];
      else Object.defineProperty(prototype, name, descriptor);
    }
    this._unwrap(prototype as { countTokens: Method }, "countTokens");
    delete prototype[PATCHED];
  }

  /**
   * An accessor on the prototype catches the constructor's `this.generateContent = async (params) => ...` and puts
   * the traced wrapper on the instance as a plain data property, so calls go straight to the wrapper.
   */
  private interceptAssignment(prototype: object, name: AssignedMethod): void {
    const wrap = (method: Method, models: object): Method => this.wrapMethod(name, method, models);
    Object.defineProperty(prototype, name, {
      configurable: true,
      enumerable: false,
      get(): undefined {
        return undefined;
      },
      set(this: object, value: unknown) {
        let stored = value;
        if (typeof value === "function") {
          try {
            stored = wrap(value as Method, this);
          } catch (error) {
            diag.debug(`${MODULE_NAME}: ${name} not traced on this client: ${String(error)}`);
          }
        }
        Object.defineProperty(this, name, { value: stored, writable: true, configurable: true, enumerable: true });
      },
    });
  }

  private wrapMethod(name: AssignedMethod, original: Method, models: object): Method {
    // The constructor sets `apiClient` before it assigns the methods: whether this client talks to Vertex AI is read
    // once per client, not per call.
    const system = systemOf(models);
    const call = TRACED_CALLS[name];
    return (params) => this.traceCall(call, original, models, params, system);
  }

  /** Starts a span with the attributes built for this call (and those OpenInference keeps in the context). */
  private startSpan(name: string, attributes: Attributes, parent: Context): Span {
    if (this.masking) return this.spanTracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes }, parent);
    const fromContext = getAttributesFromContext(parent);
    for (const key in fromContext) attributes[key] = fromContext[key];
    return this.spanTracer.startSpan(name, { kind: SpanKind.INTERNAL, attributes }, parent);
  }

  /**
   * Traces one call: the span starts with the request's attributes (a failure there leaves the call untraced, never
   * broken), the call runs with the span current, and the response (or the stream, as it is read) ends it.
   */
  private traceCall(call: TracedCall, original: Method, models: unknown, params: GenAIParams, system: string | undefined): Promise<unknown> {
    if (!this.tracing) return original.call(models, params);
    let span: Span;
    let parent: Context;
    try {
      parent = context.active();
      span = this.startSpan(call.spanName, call.request(params, system), parent);
    } catch (error) {
      diag.debug(`${MODULE_NAME}: ${call.method} not traced: ${String(error)}`);
      return original.call(models, params);
    }
    const pending = context.with(trace.setSpan(parent, span), original, models, params);
    return call.response === undefined ? this.finishStream(pending, span) : this.finishCall(pending, span, call);
  }

  private async finishCall(pending: Promise<unknown>, span: Span, call: TracedCall): Promise<unknown> {
    let response: unknown;
    try {
      response = await pending;
    } catch (error) {
      endWithError(span, error);
      throw error;
    }
    try {
      span.setAttributes((call.response as (response: unknown) => Attributes)(response));
      span.setStatus({ code: SpanStatusCode.OK });
    } catch (error) {
      diag.debug(`${MODULE_NAME}: ${call.method} response not recorded: ${String(error)}`);
    }
    span.end();
    return response;
  }

  private async finishStream(pending: Promise<unknown>, span: Span): Promise<unknown> {
    let stream: unknown;
    try {
      stream = await pending;
    } catch (error) {
      endWithError(span, error);
      throw error;
    }
    if (stream === null || typeof stream !== "object" || typeof (stream as AsyncGenerator).next !== "function") {
      span.end();
      return stream;
    }
    return new TracedStream(stream as AsyncGenerator<GenAIResponse, unknown, unknown>, span);
  }
}

/** `vertexai` for a client of Vertex AI; the Gemini API has no OpenInference system name. */
function systemOf(models: object): string | undefined {
  const apiClient = (models as { apiClient?: { isVertexAI?: () => boolean } }).apiClient;
  return apiClient?.isVertexAI?.() === true ? "vertexai" : undefined;
}
