import type { SdkSpan as Span, SpanProcessor } from "../../contract/sdk-types";
import { ADK, OI, parseJson, textOf, userTextOf, writeLlmCall, writeText, writeToolCall } from "./adk-attributes";
import type { AdkResponse } from "./adk-attributes";

/** The tracer Google ADK makes its spans with (`trace.getTracer("gcp.vertex.agent")`). */
export const ADK_TRACER_NAME = "gcp.vertex.agent";

/** Spans tracked at once at most: a span that never ends must not make the map grow without bound. */
const MAX_OPEN_SPANS = 10_000;

type Kind = "CHAIN" | "AGENT" | "LLM" | "TOOL";

/** What is known of one open ADK span, and what its children passed up to it. */
interface OpenSpan {
  readonly kind: Kind;
  readonly parent: string | undefined;
  /** The user's words: the span's own, else the first a child had. */
  input?: string;
  /** The answer: the span's own, else the last a child had. */
  output?: string;
  /** An LLM span of a client instrumentation (the `@google/genai` call) ended under this `call_llm`. */
  clientLlm?: boolean;
  /** `call_llm`: the last answer with content ADK recorded (streams: the aggregated one, not the last chunk). */
  response?: AdkResponse;
  /** `call_llm`: the last token counts ADK recorded (streams: the final usage report). */
  usage?: AdkResponse["usageMetadata"];
}

const kindOf = (name: string): Kind | undefined => {
  if (name === "call_llm") return "LLM";
  if (name.startsWith("execute_tool")) return "TOOL";
  if (name.startsWith("invoke_agent")) return "AGENT";
  if (name === "invocation" || name.startsWith("invoke_workflow") || name.startsWith("execute_node")) return "CHAIN";
  return undefined;
};

/**
 * Turns the spans Google ADK makes itself (tracer `gcp.vertex.agent`: `invocation`, `invoke_agent <name>`,
 * `call_llm`, `execute_tool <name>`) into OpenInference spans in place: CHAIN, AGENT, LLM and TOOL kinds, input and
 * output, model, messages, tools, token counts, session. ADK's own parent/child links are kept as they are.
 *
 * An LLM span made by a client instrumentation under `call_llm` (the `@google/genai` call ADK makes) is the LLM span
 * of that call: `call_llm` then becomes a CHAIN step with the user's words and the answer, without messages or token
 * counts, so one model call is one LLM span and its tokens are counted once.
 *
 * Attributes are written in `onEnding`, while the span can still take them, before any exporter's processor sees it.
 * Other spans pass untouched: one scope-name comparison each.
 */
export class GoogleAdkSpanProcessor implements SpanProcessor {
  private readonly open = new Map<string, OpenSpan>();

  onStart(span: Span): void {
    if (span.instrumentationScope.name !== ADK_TRACER_NAME) return;
    const kind = kindOf(span.name);
    if (kind === undefined) return;
    if (this.open.size >= MAX_OPEN_SPANS) {
      const oldest = this.open.keys().next().value;
      if (oldest !== undefined) this.open.delete(oldest);
    }
    const state: OpenSpan = { kind, parent: span.parentSpanContext?.spanId };
    this.open.set(span.spanContext().spanId, state);
    if (kind === "LLM") captureResponses(span, state);
  }

  onEnding(span: Span): void {
    if (this.open.size === 0) return;
    const id = span.spanContext().spanId;
    const state = this.open.get(id);
    if (state === undefined) {
      // A client instrumentation's LLM span right under ADK's call_llm: that call is traced already.
      if (span.attributes[OI.kind] !== "LLM") return;
      const parent = span.parentSpanContext === undefined ? undefined : this.open.get(span.parentSpanContext.spanId);
      if (parent?.kind === "LLM") parent.clientLlm = true;
      return;
    }
    this.open.delete(id);
    try {
      convert(span, state);
      dropConverted(span.attributes as Record<string, unknown>);
    } catch {
      // A span ADK shaped differently is exported as ADK made it.
    }
    const parent = state.parent === undefined ? undefined : this.open.get(state.parent);
    if (parent !== undefined) {
      parent.input ??= state.input;
      if (state.output !== undefined) parent.output = state.output;
    }
  }

  onEnd(): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    this.open.clear();
    return Promise.resolve();
  }
}

/**
 * ADK records each response of a `call_llm` into the same attribute, the last one winning; for a stream the last is a
 * usage report without content. Keeping the last response with content, and the last counts, as ADK sets them,
 * gives the answer and the tokens of a stream. Chunks marked partial are passed over without parsing.
 */
function captureResponses(span: Span, state: OpenSpan): void {
  const setAttribute = span.setAttribute;
  span.setAttribute = function (this: Span, key, value) {
    if (key === ADK.llmResponse && typeof value === "string" && !value.includes('"partial":true')) {
      const response = parseJson<AdkResponse>(value);
      if (response?.content !== undefined) state.response = response;
      if (response?.usageMetadata !== undefined) state.usage = response.usageMetadata;
    }
    return setAttribute.call(this, key, value);
  };
}

function convert(span: Span, state: OpenSpan): void {
  const attributes = span.attributes;
  const write = (key: string, value: string | number | boolean): void => {
    span.setAttribute(key, value);
  };
  const session = attributes[ADK.conversationId] ?? attributes[ADK.sessionId];
  if (typeof session === "string" && attributes[OI.sessionId] === undefined) write(OI.sessionId, session);
  switch (state.kind) {
    case "LLM": {
      const request = parseJson<Parameters<typeof userTextOf>[0]>(attributes[ADK.llmRequest]);
      state.input = userTextOf(request);
      state.output = textOf(state.response?.content) ?? state.output;
      if (state.clientLlm === true) {
        write(OI.kind, "CHAIN");
        writeText(write, state.input, state.output);
        return;
      }
      write(OI.kind, "LLM");
      const usage = state.usage ?? fallbackUsage(attributes);
      writeLlmCall(write, attributes, state.response, usage);
      return;
    }
    case "TOOL":
      write(OI.kind, "TOOL");
      writeToolCall(write, attributes);
      return;
    case "AGENT": {
      write(OI.kind, "AGENT");
      const name = attributes[ADK.agentName];
      if (typeof name === "string") write(OI.agentName, name);
      writeText(write, state.input, state.output);
      return;
    }
    default:
      write(OI.kind, "CHAIN");
      writeText(write, state.input, state.output);
  }
}

/** ADK's own GenAI token attributes, for when it captured no response content (`ADK_CAPTURE_MESSAGE_CONTENT_IN_SPANS=false`). */
function fallbackUsage(attributes: Readonly<Record<string, unknown>>): AdkResponse["usageMetadata"] {
  return { promptTokenCount: attributes["gen_ai.usage.input_tokens"], candidatesTokenCount: attributes["gen_ai.usage.output_tokens"] };
}

/** ADK's attributes whose content now sits in `input.value` / `output.value`. */
const CARRIED_OVER: readonly string[] = [ADK.llmRequest, ADK.llmResponse, ADK.toolArgs, ADK.toolResponse];

/**
 * Removes what was converted: the `gen_ai.*` keys, so that no GenAI-convention converter further down (OpenInference's
 * Vercel AI SDK processor converts any span that has them) adds its own reading over this one (token counts on a
 * CHAIN, invocation parameters replaced), and ADK's JSON copies of the request and response, which `input.value` and
 * `output.value` now carry. The span is still writable here (`onEnding`), so the attributes object is its own.
 */
function dropConverted(attributes: Record<string, unknown>): void {
  for (const key of Object.keys(attributes)) if (key.startsWith("gen_ai.")) delete attributes[key];
  for (const key of CARRIED_OVER) delete attributes[key];
}
