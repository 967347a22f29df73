// llmops's telemetry integration of the Vercel AI SDK: OpenInference AGENT, LLM and TOOL spans from the lifecycle
// events the AI SDK hands to every integration in its global registry (`registerTelemetry` in 7,
// `registerTelemetryIntegration` in 6). Registering there needs nothing of the `ai` module, so it works for ES module
// apps, whatever the import order, and for both majors: 7's events carry a `callId`; 6's are tied together through
// the objects one call passes to all of its events.
import type { Context, Span, Tracer } from "@opentelemetry/api";
import type { PrivacyConfig } from "../../contract/config";
import type { InstrumentationLike } from "../../contract/instrumentor";
import type { OtelApi } from "../../internal/otel-api";
import { inputAttributes, jsonOf, outputAttributes, providerOf } from "./attributes";

type Loose = Record<string, unknown>;

/** The tracer scope of these spans. */
export const AI_SDK_SCOPE = "@llmops/core/ai-sdk";

/** How many calls may be open at once before the oldest is forgotten (its spans are then never ended). */
const MAX_OPEN_CALLS = 1000;

/** The global the AI SDK reads its registered integrations from (6 and 7). */
const REGISTRY = "AI_SDK_TELEMETRY_INTEGRATIONS";

interface CallState {
  readonly operation: string;
  /** The caller's context at the start: the AGENT span's parent. */
  readonly parent: Context;
  readonly startTime: number;
  agent?: Span;
  agentContext?: Context;
  llm?: Span;
  llmContext?: Context;
  readonly tools: Map<string, { span: Span; context: Context }>;
  /** AI SDK 6 only: its own OpenTelemetry spans are on for this call (`experimental_telemetry`); llmops stays out. */
  skipped?: boolean;
  /** AI SDK 6 only: the start event, whose AGENT span opens at the first step. */
  startEvent?: Loose;
  /** AI SDK 6 only: when the first tool call of the current step began, the end of its model call. */
  firstToolStart?: number;
}

/** Options of {@link createAiSdkIntegration}. */
export interface AiSdkIntegrationOptions {
  readonly api: OtelApi;
  readonly tracer: Tracer;
  readonly privacy: PrivacyConfig;
  /** Called at every event: the AI SDK is using the integration. */
  readonly seen: () => void;
}

/** The integration object, registered in the AI SDK's global registry by `enable()`. */
export function createAiSdkIntegration(options: AiSdkIntegrationOptions): InstrumentationLike & Record<string, unknown> {
  const { api, tracer, privacy } = options;
  const { context, trace, SpanStatusCode } = api;
  /** AI SDK 7: calls by `callId`. */
  const calls = new Map<string, CallState>();
  /** AI SDK 6: calls by the objects its events share (`stopWhen`, the call's model info, step model info, step results). */
  const linked = new WeakMap<object, CallState>();

  const link = (key: unknown, state: CallState): void => {
    if (typeof key === "object" && key !== null) linked.set(key, state);
    else if (typeof key === "function") linked.set(key, state);
  };
  const linkedState = (key: unknown): CallState | undefined => ((typeof key === "object" || typeof key === "function") && key !== null ? linked.get(key) : undefined);

  /** AI SDK 6: the calls not finished yet, oldest first. */
  const open6 = new Set<CallState>();
  /**
   * AI SDK 6: the call of an event that shares no object with its call (streamText's step results carry a fresh model
   * info): the latest open call in the state the event ends, which is exact unless such calls overlap.
   */
  const latestOpen = (accepts: (state: CallState) => boolean): CallState | undefined => [...open6].reverse().find(accepts);

  /** Contains a handler: the AI SDK must never see an error of llmops. */
  const safely =
    <Event>(handler: (event: Event) => void) =>
    (event: Event): void => {
      try {
        options.seen();
        handler(event);
      } catch {
        // telemetry never breaks the call it traces
      }
    };

  const isTextOperation = (operation: string): boolean => /^ai\.(generate|stream)(Text|Object)$/.test(operation);

  const startCall = (operation: string): CallState => ({ operation, parent: context.active(), startTime: Date.now(), tools: new Map() });

  /** Starts the AGENT span of a call (at its start in 7; at its first step in 6, once it is known to be llmops's). */
  const startAgent = (state: CallState, event: Loose): void => {
    if (state.agent !== undefined) return;
    const functionId = typeof event.functionId === "string" ? event.functionId : undefined;
    const span = tracer.startSpan(
      functionId === undefined ? state.operation : `${state.operation} ${functionId}`,
      {
        startTime: state.startTime,
        attributes: {
          "openinference.span.kind": "AGENT",
          ...(privacy.hideInputs === true ? {} : { "input.value": jsonOf({ messages: promptMessagesOf(event) }), "input.mime_type": "application/json" }),
          ...(functionId === undefined ? {} : { metadata: jsonOf({ functionId }) }),
        },
      },
      state.parent,
    );
    state.agent = span;
    state.agentContext = trace.setSpan(state.parent, span);
  };

  const startLlm = (state: CallState, event: Loose, startTime?: number): void => {
    if (state.agentContext === undefined) return;
    state.llm?.end();
    const provider = providerOf(event.provider ?? (event.model as Loose | undefined)?.provider);
    const modelId = event.modelId ?? (event.model as Loose | undefined)?.modelId;
    const span = tracer.startSpan(
      state.operation.startsWith("ai.stream") ? `${state.operation}.doStream` : `${state.operation}.doGenerate`,
      {
        ...(startTime === undefined ? {} : { startTime }),
        attributes: {
          "openinference.span.kind": "LLM",
          ...(typeof modelId === "string" ? { "llm.model_name": modelId } : {}),
          ...(provider === undefined ? {} : { "llm.provider": provider, "llm.system": provider }),
          ...inputAttributes(event, privacy),
        },
      },
      state.agentContext,
    );
    state.llm = span;
    state.llmContext = trace.setSpan(state.agentContext, span);
  };

  const endLlm = (state: CallState, event: Loose, endTime?: number): void => {
    const span = state.llm;
    if (span === undefined) return;
    span.setAttributes(outputAttributes(event, privacy));
    span.end(endTime);
    state.llm = undefined;
    state.llmContext = undefined;
  };

  const startTool = (state: CallState, toolCall: Loose): void => {
    if (state.agentContext === undefined) return;
    const id = typeof toolCall.toolCallId === "string" ? toolCall.toolCallId : "";
    const name = typeof toolCall.toolName === "string" ? toolCall.toolName : "tool";
    const span = tracer.startSpan(
      name,
      {
        attributes: {
          "openinference.span.kind": "TOOL",
          "tool.name": name,
          ...(id === "" ? {} : { "tool_call.id": id }),
          ...(privacy.hideInputs === true ? {} : { "input.value": jsonOf(toolCall.input ?? toolCall.args ?? {}), "input.mime_type": "application/json" }),
        },
      },
      state.agentContext,
    );
    state.tools.set(id, { span, context: trace.setSpan(state.agentContext, span) });
  };

  const endTool = (state: CallState, toolCall: Loose, outcome: { output?: unknown; error?: unknown }): void => {
    const id = typeof toolCall.toolCallId === "string" ? toolCall.toolCallId : "";
    const tool = state.tools.get(id);
    if (tool === undefined) return;
    state.tools.delete(id);
    if (outcome.error !== undefined) failSpan(tool.span, outcome.error);
    else if (privacy.hideOutputs !== true && outcome.output !== undefined) {
      tool.span.setAttributes({ "output.value": jsonOf(outcome.output), "output.mime_type": typeof outcome.output === "string" ? "text/plain" : "application/json" });
    }
    tool.span.end();
  };

  const failSpan = (span: Span, error: unknown): void => {
    const message = error instanceof Error ? error.message : typeof error === "string" ? error : "AI SDK operation failed";
    span.setStatus({ code: SpanStatusCode.ERROR, message });
    if (error instanceof Error) span.recordException(error);
  };

  /** Ends every open span of a call: with the final output, or with the error. */
  const endCall = (state: CallState, event: Loose, error?: unknown): void => {
    for (const tool of state.tools.values()) tool.span.end();
    state.tools.clear();
    if (state.llm !== undefined) {
      if (error !== undefined) failSpan(state.llm, error);
      state.llm.end();
      state.llm = undefined;
    }
    const agent = state.agent;
    if (agent === undefined) return;
    if (error !== undefined) failSpan(agent, error);
    else if (privacy.hideOutputs !== true) {
      const text = typeof event.text === "string" ? event.text : undefined;
      const output = text ?? (event.object === undefined ? undefined : jsonOf(event.object));
      if (output !== undefined) agent.setAttributes({ "output.value": output, "output.mime_type": text === undefined ? "application/json" : "text/plain" });
    }
    agent.end();
  };

  const callOf = (event: Loose): CallState | undefined => (typeof event.callId === "string" ? calls.get(event.callId) : undefined);

  const integration = {
    // Both majors.
    onStart: safely((event: Loose) => {
      const operation = typeof event.operationId === "string" ? event.operationId : "ai.generateText";
      if (typeof event.callId === "string") {
        // AI SDK 7: text and object generation; embeddings, reranking, speech are left to other spans.
        if (!isTextOperation(operation)) return;
        const state = startCall(operation);
        calls.set(event.callId, state);
        // A stream the app never reads never ends: keep the newest calls, forget the oldest beyond a bound.
        if (calls.size > MAX_OPEN_CALLS) calls.delete(calls.keys().next().value as string);
        startAgent(state, event);
        return;
      }
      // AI SDK 6: the event names no operation; its steps are tied to the call by `stopWhen` (a fresh object per
      // call unless the app passes one) and its model info.
      const state = startCall("ai.generateText");
      link(event.stopWhen, state);
      link(event.model, state);
      open6.add(state);
      // AI SDK 6 has no error event: a call that failed stays open. Keep the newest, drop the oldest beyond a bound.
      if (open6.size > MAX_OPEN_CALLS) open6.delete(open6.values().next().value as CallState);
      state.startEvent = event;
    }),
    onStepStart: safely((event: Loose) => {
      if (typeof event.callId === "string") return; // 7: the model call has its own events
      const state = linkedState(event.stopWhen);
      if (state === undefined || state.skipped === true) return;
      if (state.agent === undefined) {
        // 6 opens its own span around the call when `experimental_telemetry` is on: then its spans are the trace.
        const active = trace.getSpan(context.active());
        if (active !== undefined && active.isRecording() && active !== trace.getSpan(state.parent)) {
          state.skipped = true;
          return;
        }
        startAgent(state, state.startEvent ?? event);
      }
      link(event.model, state);
      state.firstToolStart = undefined;
      startLlm(state, event);
    }),
    // AI SDK 7.
    onLanguageModelCallStart: safely((event: Loose) => {
      const state = callOf(event);
      if (state !== undefined) startLlm(state, event);
    }),
    onLanguageModelCallEnd: safely((event: Loose) => {
      const state = callOf(event);
      if (state !== undefined) endLlm(state, event);
    }),
    onToolExecutionStart: safely((event: Loose) => {
      const state = callOf(event);
      if (state !== undefined && typeof event.toolCall === "object" && event.toolCall !== null) startTool(state, event.toolCall as Loose);
    }),
    onToolExecutionEnd: safely((event: Loose) => {
      const state = callOf(event);
      if (state === undefined || typeof event.toolCall !== "object" || event.toolCall === null) return;
      const output = event.toolOutput as Loose | undefined;
      endTool(state, event.toolCall as Loose, output?.type === "tool-error" || event.success === false ? { error: output?.error ?? event.error ?? "tool failed" } : { output: output?.output });
    }),
    onStepError: safely((event: Loose) => {
      const state = callOf(event);
      if (state?.llm !== undefined) {
        failSpan(state.llm, event.error);
        state.llm.end();
        state.llm = undefined;
      }
    }),
    onEnd: safely((event: Loose) => {
      const state = callOf(event);
      if (state === undefined) return;
      calls.delete(event.callId as string);
      endCall(state, event);
    }),
    onError: safely((event: Loose) => {
      const state = callOf(event);
      if (state === undefined) return;
      calls.delete(event.callId as string);
      endCall(state, event, event.error ?? "AI SDK operation failed");
    }),
    onAbort: safely((event: Loose) => {
      const state = callOf(event);
      if (state === undefined) return;
      calls.delete(event.callId as string);
      endCall(state, event, "aborted");
    }),
    /** 7: the provider call runs inside the LLM span, so spans of the HTTP client or a provider instrumentor nest under it. */
    executeLanguageModelCall<T>(event: { callId?: string; execute: () => PromiseLike<T> }): PromiseLike<T> {
      const active = typeof event.callId === "string" ? calls.get(event.callId)?.llmContext : undefined;
      return active === undefined ? event.execute() : context.with(active, event.execute);
    },
    /** 7: the tool runs inside its TOOL span, so what it traces (an LLM call, `trace()`) nests under it. */
    executeTool<T>(event: { callId?: string; toolCallId?: string; execute: () => PromiseLike<T> }): PromiseLike<T> {
      const state = typeof event.callId === "string" ? calls.get(event.callId) : undefined;
      const active = state?.tools.get(event.toolCallId ?? "")?.context;
      return active === undefined ? event.execute() : context.with(active, event.execute);
    },
    // AI SDK 6.
    onToolCallStart: safely((event: Loose) => {
      const state = linkedState(event.model);
      if (state === undefined || state.skipped === true || typeof event.toolCall !== "object" || event.toolCall === null) return;
      state.firstToolStart ??= Date.now();
      startTool(state, event.toolCall as Loose);
    }),
    onToolCallFinish: safely((event: Loose) => {
      const state = linkedState(event.model);
      if (state === undefined || state.skipped === true || typeof event.toolCall !== "object" || event.toolCall === null) return;
      endTool(state, event.toolCall as Loose, event.success === false ? { error: event.error ?? "tool failed" } : { output: event.output });
    }),
    onStepFinish: safely((event: Loose) => {
      if (typeof event.callId === "string") return; // 7 calls this as an alias of onStepEnd
      const state = linkedState(event.model) ?? latestOpen((candidate) => candidate.llm !== undefined);
      if (state === undefined) return;
      link(event, state);
      // The model call of a step ended when its first tool began; the step result arrives after the tools ran.
      if (state.skipped !== true) endLlm(state, event, state.firstToolStart);
    }),
    onFinish: safely((event: Loose) => {
      if (typeof event.callId === "string") return;
      const steps = Array.isArray(event.steps) ? event.steps : [];
      const state = linkedState(event.model) ?? linkedState(steps[steps.length - 1]) ?? latestOpen(() => true);
      if (state === undefined) return;
      open6.delete(state);
      if (state.skipped !== true) endCall(state, event);
    }),
  };

  return {
    ...integration,
    enable() {
      const globals = globalThis as unknown as Record<string, unknown[] | undefined>;
      const registry = (globals[REGISTRY] ??= []);
      if (!registry.includes(integration)) registry.push(integration);
    },
    disable() {
      const registry = (globalThis as unknown as Record<string, unknown[] | undefined>)[REGISTRY];
      const index = registry?.indexOf(integration) ?? -1;
      if (index >= 0) registry?.splice(index, 1);
    },
  };
}

function promptMessagesOf(event: Loose): unknown {
  if (Array.isArray(event.messages)) return event.messages;
  const messages: Loose[] = [];
  const system = event.instructions ?? event.system;
  if (typeof system === "string") messages.push({ role: "system", content: system });
  if (typeof event.prompt === "string") messages.push({ role: "user", content: event.prompt });
  else if (Array.isArray(event.prompt)) messages.push(...(event.prompt as Loose[]));
  return messages;
}
