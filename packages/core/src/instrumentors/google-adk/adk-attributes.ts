// Google ADK's own span attributes (GenAI conventions plus `gcp.vertex.agent.*` JSON) read as OpenInference attributes.
// Pure functions of the attribute values: nothing here touches a span, so a malformed value costs one skipped attribute.

/** The attributes ADK sets itself (its `telemetry/tracing` module). */
export const ADK = {
  operation: "gen_ai.operation.name",
  agentName: "gen_ai.agent.name",
  agentDescription: "gen_ai.agent.description",
  conversationId: "gen_ai.conversation.id",
  requestModel: "gen_ai.request.model",
  toolName: "gen_ai.tool.name",
  toolDescription: "gen_ai.tool.description",
  toolCallId: "gen_ai.tool.call.id",
  llmRequest: "gcp.vertex.agent.llm_request",
  llmResponse: "gcp.vertex.agent.llm_response",
  toolArgs: "gcp.vertex.agent.tool_call_args",
  toolResponse: "gcp.vertex.agent.tool_response",
  sessionId: "gcp.vertex.agent.session_id",
} as const;

/** OpenInference attribute names used here. */
export const OI = {
  kind: "openinference.span.kind",
  inputValue: "input.value",
  inputMime: "input.mime_type",
  outputValue: "output.value",
  outputMime: "output.mime_type",
  model: "llm.model_name",
  provider: "llm.provider",
  system: "llm.system",
  invocationParameters: "llm.invocation_parameters",
  inputMessages: "llm.input_messages",
  outputMessages: "llm.output_messages",
  tools: "llm.tools",
  promptTokens: "llm.token_count.prompt",
  completionTokens: "llm.token_count.completion",
  totalTokens: "llm.token_count.total",
  cacheReadTokens: "llm.token_count.prompt_details.cache_read",
  reasoningTokens: "llm.token_count.completion_details.reasoning",
  toolName: "tool.name",
  toolDescription: "tool.description",
  toolParameters: "tool.parameters",
  toolCallId: "tool_call.id",
  agentName: "agent.name",
  sessionId: "session.id",
} as const;

const JSON_MIME = "application/json";
const TEXT_MIME = "text/plain";
/** ADK writes this in place of the content when `ADK_CAPTURE_MESSAGE_CONTENT_IN_SPANS` is off. */
const NOT_CAPTURED = "{}";
/** ADK's marker for what other agents said, replayed to an agent as user turns. */
const REPLAYED_TURN = "For context:";

/** Request config keys that are not invocation parameters: messages and tools have their own attributes; the rest is ADK's plumbing. */
const NOT_PARAMETERS: ReadonlySet<string> = new Set(["systemInstruction", "tools", "labels", "httpOptions", "abortSignal"]);

type Attributes = Record<string, unknown>;
type Writer = (key: string, value: string | number | boolean) => void;

interface Part {
  text?: unknown;
  thought?: unknown;
  functionCall?: { id?: unknown; name?: unknown; args?: unknown };
  functionResponse?: { id?: unknown; name?: unknown; response?: unknown };
}
interface Content {
  role?: unknown;
  parts?: unknown;
}
interface Usage {
  promptTokenCount?: unknown;
  candidatesTokenCount?: unknown;
  totalTokenCount?: unknown;
  cachedContentTokenCount?: unknown;
  thoughtsTokenCount?: unknown;
}
/** ADK's `LlmResponse` as it serializes it. */
export interface AdkResponse {
  content?: Content;
  usageMetadata?: Usage;
  partial?: unknown;
  errorMessage?: unknown;
}
interface AdkRequest {
  model?: unknown;
  contents?: unknown;
  config?: { systemInstruction?: unknown; tools?: unknown; [key: string]: unknown };
}

/** Parses one of ADK's JSON attributes; undefined when absent, not captured or not JSON. */
export function parseJson<T>(value: unknown): T | undefined {
  if (typeof value !== "string" || value === NOT_CAPTURED || value === "") return undefined;
  try {
    return JSON.parse(value) as T;
  } catch {
    return undefined;
  }
}

const partsOf = (content: Content | undefined): Part[] => (Array.isArray(content?.parts) ? (content.parts as Part[]) : []);

/** The plain text of a content (thoughts left out), or undefined when it has none. */
export function textOf(content: Content | undefined): string | undefined {
  const texts = partsOf(content)
    .filter((part) => typeof part.text === "string" && part.thought !== true)
    .map((part) => part.text as string);
  return texts.length === 0 ? undefined : texts.join("");
}

/** The user's own words in a request: the last user turn with text that is not another agent's turn replayed. */
export function userTextOf(request: AdkRequest | undefined): string | undefined {
  const contents = Array.isArray(request?.contents) ? (request.contents as Content[]) : [];
  for (let index = contents.length - 1; index >= 0; index--) {
    const content = contents[index];
    if (content?.role !== undefined && content.role !== "user") continue;
    const text = textOf(content);
    if (text !== undefined && !text.startsWith(REPLAYED_TURN)) return text;
  }
  return undefined;
}

const roleOf = (role: unknown): string => (role === "model" ? "assistant" : typeof role === "string" ? role : "user");

/** One message (`llm.input_messages.N.` or `llm.output_messages.N.`) from a Gemini content. */
function writeMessage(write: Writer, prefix: string, content: Content): void {
  const parts = partsOf(content);
  const response = parts.find((part) => part.functionResponse !== undefined)?.functionResponse;
  if (response !== undefined) {
    write(`${prefix}message.role`, "tool");
    if (typeof response.name === "string") write(`${prefix}message.name`, response.name);
    if (typeof response.id === "string") write(`${prefix}message.tool_call_id`, response.id);
    write(`${prefix}message.content`, JSON.stringify(response.response ?? {}));
    return;
  }
  write(`${prefix}message.role`, roleOf(content.role));
  const text = textOf(content);
  if (text !== undefined) write(`${prefix}message.content`, text);
  let call = 0;
  for (const part of parts) {
    const functionCall = part.functionCall;
    if (functionCall === undefined) continue;
    const callPrefix = `${prefix}message.tool_calls.${call++}.tool_call.`;
    if (typeof functionCall.id === "string") write(`${callPrefix}id`, functionCall.id);
    if (typeof functionCall.name === "string") write(`${callPrefix}function.name`, functionCall.name);
    write(`${callPrefix}function.arguments`, JSON.stringify(functionCall.args ?? {}));
  }
}

const isCount = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);

/** Token counts from Gemini's `usageMetadata`. */
export function writeUsage(write: Writer, usage: Usage | undefined): void {
  if (usage === undefined) return;
  if (isCount(usage.promptTokenCount)) write(OI.promptTokens, usage.promptTokenCount);
  if (isCount(usage.candidatesTokenCount)) write(OI.completionTokens, usage.candidatesTokenCount);
  if (isCount(usage.totalTokenCount)) write(OI.totalTokens, usage.totalTokenCount);
  if (isCount(usage.cachedContentTokenCount)) write(OI.cacheReadTokens, usage.cachedContentTokenCount);
  if (isCount(usage.thoughtsTokenCount)) write(OI.reasoningTokens, usage.thoughtsTokenCount);
}

/**
 * The LLM attributes of a `call_llm` span: model, request (system instruction, turns, tools, parameters), the answer,
 * and the token counts. `response` is the answer with content (streams: the aggregated one), `usage` the last counts.
 */
export function writeLlmCall(write: Writer, attributes: Attributes, response: AdkResponse | undefined, usage: Usage | undefined): void {
  write(OI.provider, "google");
  const request = parseJson<AdkRequest>(attributes[ADK.llmRequest]);
  const model = typeof request?.model === "string" ? request.model : attributes[ADK.requestModel];
  if (typeof model === "string") write(OI.model, model);
  writeUsage(write, usage);
  if (request !== undefined) {
    write(OI.inputValue, attributes[ADK.llmRequest] as string);
    write(OI.inputMime, JSON_MIME);
    const config = request.config ?? {};
    const { systemInstruction, tools } = config;
    const parameters = Object.fromEntries(Object.entries(config).filter(([key]) => !NOT_PARAMETERS.has(key)));
    write(OI.invocationParameters, JSON.stringify(parameters));
    let index = 0;
    const system = typeof systemInstruction === "string" ? systemInstruction : textOf(systemInstruction as Content | undefined);
    if (system !== undefined) {
      write(`${OI.inputMessages}.${index}.message.role`, "system");
      write(`${OI.inputMessages}.${index++}.message.content`, system);
    }
    for (const content of Array.isArray(request.contents) ? (request.contents as Content[]) : []) writeMessage(write, `${OI.inputMessages}.${index++}.`, content);
    let toolIndex = 0;
    for (const tool of Array.isArray(tools) ? (tools as Array<{ functionDeclarations?: unknown }>) : []) {
      for (const declaration of Array.isArray(tool.functionDeclarations) ? tool.functionDeclarations : []) {
        write(`${OI.tools}.${toolIndex++}.tool.json_schema`, JSON.stringify(declaration));
      }
    }
  }
  if (response?.content !== undefined) {
    writeMessage(write, `${OI.outputMessages}.0.`, response.content);
    write(OI.outputValue, JSON.stringify(response));
    write(OI.outputMime, JSON_MIME);
  }
}

/** The TOOL attributes of an `execute_tool` span: name, description, arguments in, response out. */
export function writeToolCall(write: Writer, attributes: Attributes): void {
  const name = attributes[ADK.toolName];
  if (typeof name === "string") write(OI.toolName, name);
  const description = attributes[ADK.toolDescription];
  if (typeof description === "string" && description !== "") write(OI.toolDescription, description);
  const callId = attributes[ADK.toolCallId];
  if (typeof callId === "string" && callId !== "<not specified>") write(OI.toolCallId, callId);
  const args = attributes[ADK.toolArgs];
  if (parseJson(args) !== undefined) {
    write(OI.inputValue, args as string);
    write(OI.inputMime, JSON_MIME);
    write(OI.toolParameters, args as string);
  }
  const response = attributes[ADK.toolResponse];
  if (parseJson(response) !== undefined) {
    write(OI.outputValue, response as string);
    write(OI.outputMime, JSON_MIME);
  }
}

/** Input and output of an AGENT or CHAIN span, as plain text gathered from the spans under it. */
export function writeText(write: Writer, input: string | undefined, output: string | undefined): void {
  if (input !== undefined) {
    write(OI.inputValue, input);
    write(OI.inputMime, TEXT_MIME);
  }
  if (output !== undefined) {
    write(OI.outputValue, output);
    write(OI.outputMime, TEXT_MIME);
  }
}
