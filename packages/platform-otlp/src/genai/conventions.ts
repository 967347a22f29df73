import type { AttributeValue, Attributes } from "@opentelemetry/api";

/**
 * The OpenTelemetry semantic conventions release whose GenAI attributes the mapping writes.
 *
 * @example
 * ```ts
 * import { GEN_AI_SEMCONV_VERSION } from "@llmops/platform-otlp";
 * console.log(`GenAI attributes of semantic conventions ${GEN_AI_SEMCONV_VERSION}`);
 * ```
 */
export const GEN_AI_SEMCONV_VERSION = "1.45.0";

/** The JSON shape of one message part in `gen_ai.input.messages` / `gen_ai.output.messages`. */
type Part =
  | { type: "text"; content: string }
  | { type: "tool_call"; id?: string; name: string; arguments?: unknown }
  | { type: "tool_call_response"; id?: string; response: unknown }
  | { type: "uri"; modality: "image"; uri: string };

interface Message {
  role: string;
  parts: Part[];
  name?: string;
  finish_reason?: string;
}

/** OpenInference span kinds and the GenAI operation each one is. */
const OPERATIONS: Readonly<Record<string, string>> = {
  LLM: "chat",
  EMBEDDING: "embeddings",
  TOOL: "execute_tool",
  AGENT: "invoke_agent",
  RETRIEVER: "retrieval",
};

/** `llm.provider` / `llm.system` values and the `gen_ai.provider.name` each one is, where the names differ. */
const PROVIDERS: Readonly<Record<string, string>> = {
  openai: "openai",
  anthropic: "anthropic",
  aws: "aws.bedrock",
  google: "gcp.gen_ai",
  vertexai: "gcp.vertex_ai",
  azure: "azure.ai.openai",
  mistralai: "mistral_ai",
  cohere: "cohere",
  xai: "x_ai",
  deepseek: "deepseek",
  groq: "groq",
  perplexity: "perplexity",
};

/** Invocation parameters (OpenInference's JSON object) and the GenAI request attribute each one fills. */
const REQUEST_PARAMETERS: Readonly<Record<string, string>> = {
  temperature: "gen_ai.request.temperature",
  top_p: "gen_ai.request.top_p",
  top_k: "gen_ai.request.top_k",
  max_tokens: "gen_ai.request.max_tokens",
  max_completion_tokens: "gen_ai.request.max_tokens",
  max_output_tokens: "gen_ai.request.max_tokens",
  frequency_penalty: "gen_ai.request.frequency_penalty",
  presence_penalty: "gen_ai.request.presence_penalty",
  seed: "gen_ai.request.seed",
  stop: "gen_ai.request.stop_sequences",
  stop_sequences: "gen_ai.request.stop_sequences",
  n: "gen_ai.request.choice.count",
  stream: "gen_ai.request.stream",
};

/** OpenInference token counts and the GenAI usage attribute each one is. */
const USAGE: Readonly<Record<string, string>> = {
  "llm.token_count.prompt": "gen_ai.usage.input_tokens",
  "llm.token_count.completion": "gen_ai.usage.output_tokens",
  "llm.token_count.prompt_details.cache_read": "gen_ai.usage.cache_read.input_tokens",
  "llm.token_count.prompt_details.cache_write": "gen_ai.usage.cache_creation.input_tokens",
  "llm.token_count.completion_details.reasoning": "gen_ai.usage.reasoning.output_tokens",
};

const INPUT_MESSAGES = "llm.input_messages.";
const OUTPUT_MESSAGES = "llm.output_messages.";

/**
 * The GenAI attributes of a span that carries OpenInference attributes: operation, provider, model, request
 * parameters, usage, messages (as the JSON of `gen_ai.input.messages`, `gen_ai.output.messages` and
 * `gen_ai.system_instructions`), tool definitions, and for tool and agent spans their names and call data. Attributes
 * the span has no source for are left out, never guessed. A span without `openinference.span.kind` maps to nothing.
 *
 * @param attributes - the span's attributes as OpenInference instrumentors set them
 * @param name - the span's name (an agent's name when nothing else names it)
 * @returns the GenAI attributes to set, and the OpenInference keys they replace
 *
 * @example
 * ```ts
 * import { toGenAiAttributes } from "@llmops/platform-otlp";
 * const { set } = toGenAiAttributes({ "openinference.span.kind": "LLM", "llm.model_name": "gpt-4o", "llm.token_count.prompt": 12 }, "chat");
 * // set: { "gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": 12, ... }
 * ```
 */
export function toGenAiAttributes(attributes: Attributes, name: string): { readonly set: Record<string, AttributeValue>; readonly replaced: readonly string[] } {
  const set: Record<string, AttributeValue> = {};
  const replaced: string[] = [];
  const kind = attributes["openinference.span.kind"];
  if (typeof kind !== "string" || OPERATIONS[kind] === undefined) return { set, replaced };
  set["gen_ai.operation.name"] = OPERATIONS[kind];

  const provider = stringAt(attributes, "llm.provider") ?? stringAt(attributes, "llm.system");
  if (provider !== undefined) {
    set["gen_ai.provider.name"] = PROVIDERS[provider.toLowerCase()] ?? provider.toLowerCase();
    replaced.push("llm.provider", "llm.system");
  }
  const model = stringAt(attributes, "llm.model_name") ?? stringAt(attributes, "embedding.model_name");
  if (model !== undefined) {
    set["gen_ai.request.model"] = model;
    set["gen_ai.response.model"] = model;
    replaced.push("llm.model_name");
  }
  const parameters = jsonObjectAt(attributes, "llm.invocation_parameters");
  if (parameters !== undefined) {
    for (const [parameter, key] of Object.entries(REQUEST_PARAMETERS)) {
      const value = parameters[parameter];
      if (typeof value === "number" || typeof value === "boolean") set[key] = value;
      else if (typeof value === "string" && key === "gen_ai.request.stop_sequences") set[key] = [value];
      else if (Array.isArray(value) && value.every((item) => typeof item === "string")) set[key] = value as string[];
    }
    replaced.push("llm.invocation_parameters");
  }
  for (const [from, to] of Object.entries(USAGE)) {
    const value = attributes[from];
    if (typeof value === "number") {
      set[to] = value;
      replaced.push(from);
    }
  }
  if (typeof attributes["llm.token_count.total"] === "number") replaced.push("llm.token_count.total");

  const input = messagesAt(attributes, INPUT_MESSAGES);
  if (input.messages.length > 0) {
    const system = input.messages.filter((message) => message.role === "system");
    const rest = input.messages.filter((message) => message.role !== "system");
    if (system.length > 0) set["gen_ai.system_instructions"] = JSON.stringify(system.flatMap((message) => message.parts));
    if (rest.length > 0) set["gen_ai.input.messages"] = JSON.stringify(rest);
    replaced.push(...input.keys);
  }
  const output = messagesAt(attributes, OUTPUT_MESSAGES);
  if (output.messages.length > 0) {
    set["gen_ai.output.messages"] = JSON.stringify(output.messages);
    const reasons = output.messages.map((message) => message.finish_reason).filter((reason): reason is string => reason !== undefined);
    if (reasons.length > 0) set["gen_ai.response.finish_reasons"] = reasons;
    replaced.push(...output.keys);
  }
  const tools = toolDefinitionsAt(attributes);
  if (tools.definitions.length > 0) {
    set["gen_ai.tool.definitions"] = JSON.stringify(tools.definitions);
    replaced.push(...tools.keys);
  }

  if (kind === "TOOL") {
    const toolName = stringAt(attributes, "tool.name") ?? name;
    set["gen_ai.tool.name"] = toolName;
    const description = stringAt(attributes, "tool.description");
    if (description !== undefined) set["gen_ai.tool.description"] = description;
    const callId = stringAt(attributes, "tool_call.id");
    if (callId !== undefined) set["gen_ai.tool.call.id"] = callId;
    const args = stringAt(attributes, "tool.parameters") ?? stringAt(attributes, "input.value");
    if (args !== undefined) set["gen_ai.tool.call.arguments"] = args;
    const result = stringAt(attributes, "output.value");
    if (result !== undefined) set["gen_ai.tool.call.result"] = result;
  }
  if (kind === "AGENT") set["gen_ai.agent.name"] = stringAt(attributes, "agent.name") ?? name;
  const session = stringAt(attributes, "session.id");
  if (session !== undefined) set["gen_ai.conversation.id"] = session;
  return { set, replaced };
}

function stringAt(attributes: Attributes, key: string): string | undefined {
  const value = attributes[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

function jsonObjectAt(attributes: Attributes, key: string): Record<string, unknown> | undefined {
  const text = stringAt(attributes, key);
  if (text === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Arguments as JSON when they parse, else the text as given (GenAI takes either). */
function argumentsOf(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * Rebuilds the messages that OpenInference flattens into `llm.input_messages.<i>.message.*` keys, one pass over the
 * span's attributes: text (whole or in parts), image references, tool calls, tool results.
 */
function messagesAt(attributes: Attributes, prefix: string): { messages: Message[]; keys: string[] } {
  const fields = new Map<number, Map<string, AttributeValue>>();
  const keys: string[] = [];
  for (const [key, value] of Object.entries(attributes)) {
    if (!key.startsWith(prefix) || value === undefined) continue;
    keys.push(key);
    const rest = key.slice(prefix.length);
    const dot = rest.indexOf(".");
    const index = Number(rest.slice(0, dot));
    if (dot < 0 || !Number.isInteger(index)) continue;
    let message = fields.get(index);
    if (message === undefined) fields.set(index, (message = new Map()));
    message.set(rest.slice(dot + 1), value);
  }
  const messages: Message[] = [];
  for (const index of [...fields.keys()].sort((a, b) => a - b)) {
    const field = fields.get(index) as Map<string, AttributeValue>;
    const text = (key: string): string | undefined => {
      const value = field.get(key);
      return typeof value === "string" ? value : undefined;
    };
    const role = text("message.role") ?? "user";
    const parts: Part[] = [];
    const content = text("message.content");
    if (content !== undefined) parts.push(role === "tool" ? { type: "tool_call_response", ...optionalId(text("message.tool_call_id")), response: content } : { type: "text", content });
    for (const j of indices(field, "message.contents.")) {
      const base = `message.contents.${j}.message_content.`;
      const partText = text(`${base}text`);
      const image = text(`${base}image.image.url`);
      if (partText !== undefined) parts.push({ type: "text", content: partText });
      else if (image !== undefined) parts.push({ type: "uri", modality: "image", uri: image });
    }
    for (const k of indices(field, "message.tool_calls.")) {
      const base = `message.tool_calls.${k}.tool_call.`;
      const toolName = text(`${base}function.name`);
      if (toolName === undefined) continue;
      const args = argumentsOf(text(`${base}function.arguments`));
      parts.push({ type: "tool_call", ...optionalId(text(`${base}id`)), name: toolName, ...(args === undefined ? {} : { arguments: args }) });
    }
    const message: Message = { role, parts };
    const messageName = text("message.name");
    if (messageName !== undefined) message.name = messageName;
    const finish = text("message.finish_reason");
    if (finish !== undefined) message.finish_reason = finish;
    messages.push(message);
  }
  return { messages, keys };
}

function optionalId(id: string | undefined): { id?: string } {
  return id === undefined ? {} : { id };
}

/** The sorted indices `<i>` of keys `<prefix><i>.…` of one message. */
function indices(field: Map<string, AttributeValue>, prefix: string): number[] {
  const found = new Set<number>();
  for (const key of field.keys()) {
    if (!key.startsWith(prefix)) continue;
    const index = Number(key.slice(prefix.length, key.indexOf(".", prefix.length)));
    if (Number.isInteger(index)) found.add(index);
  }
  return [...found].sort((a, b) => a - b);
}

/** `llm.tools.<i>.tool.json_schema` (OpenInference) as GenAI tool definitions. */
function toolDefinitionsAt(attributes: Attributes): { definitions: unknown[]; keys: string[] } {
  const definitions: unknown[] = [];
  const keys: string[] = [];
  for (const [key, value] of Object.entries(attributes)) {
    if (!key.startsWith("llm.tools.") || typeof value !== "string") continue;
    keys.push(key);
    definitions.push(argumentsOf(value));
  }
  return { definitions, keys };
}
