// OpenInference attributes from the Vercel AI SDK's telemetry events (AI SDK 6 and 7): messages, tools, usage.
import type { Attributes } from "@opentelemetry/api";
import type { PrivacyConfig } from "../../contract/config";

/** A record as the events carry it; every field is read defensively, the shapes differ between major versions. */
type Loose = Record<string, unknown>;

function isRecord(value: unknown): value is Loose {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** JSON for an attribute value; a string stays as it is. Never throws (cycles, BigInt). */
export function jsonOf(value: unknown): string {
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value, (_key, item: unknown) => (typeof item === "bigint" ? item.toString() : item)) ?? "";
  } catch {
    return String(value);
  }
}

/** The provider of a model as OpenInference names it: `openai` for the AI SDK's `openai.chat` or `openai.responses`. */
export function providerOf(provider: unknown): string | undefined {
  if (typeof provider !== "string" || provider === "") return undefined;
  return provider.split(".")[0];
}

/** The text of a message's content: a string, or its text parts joined. */
function textOf(content: unknown): string | undefined {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return undefined;
  const texts = content.filter((part): part is Loose => isRecord(part) && part.type === "text" && typeof part.text === "string").map((part) => part.text as string);
  return texts.length > 0 ? texts.join("") : undefined;
}

/** The attributes of one message under `prefix` (e.g. `llm.input_messages.0.message`). */
function messageAttributes(prefix: string, message: Loose, attributes: Attributes): void {
  if (typeof message.role === "string") attributes[`${prefix}.role`] = message.role;
  const text = textOf(message.content);
  if (text !== undefined) attributes[`${prefix}.content`] = text;
  if (!Array.isArray(message.content)) return;
  let toolCall = 0;
  for (const part of message.content) {
    if (!isRecord(part)) continue;
    if (part.type === "tool-call") {
      const callPrefix = `${prefix}.tool_calls.${toolCall++}.tool_call`;
      if (typeof part.toolCallId === "string") attributes[`${callPrefix}.id`] = part.toolCallId;
      if (typeof part.toolName === "string") attributes[`${callPrefix}.function.name`] = part.toolName;
      attributes[`${callPrefix}.function.arguments`] = jsonOf(part.input ?? part.args ?? {});
    } else if (part.type === "tool-result") {
      if (typeof part.toolCallId === "string") attributes[`${prefix}.tool_call_id`] = part.toolCallId;
      if (typeof part.toolName === "string") attributes[`${prefix}.name`] = part.toolName;
      if (text === undefined) attributes[`${prefix}.content`] = jsonOf(outputValueOf(part.output ?? part.result));
    }
  }
}

/** A tool result as the model saw it: the AI SDK wraps it as `{ type: "json" | "text", value }`. */
function outputValueOf(output: unknown): unknown {
  if (isRecord(output) && (output.type === "json" || output.type === "text" || output.type === "error-text" || output.type === "error-json") && "value" in output) return output.value;
  return output;
}

/** The prompt messages of a model call, the system instructions first. */
export function promptMessages(event: Loose): Loose[] {
  const messages = Array.isArray(event.messages) ? event.messages.filter(isRecord) : [];
  const system = event.instructions ?? event.system;
  const systemText =
    typeof system === "string"
      ? system
      : Array.isArray(system)
        ? textOf(system)
        : isRecord(system)
          ? (textOf([system]) ?? (typeof system.content === "string" ? system.content : undefined))
          : undefined;
  if (systemText !== undefined && !messages.some((message) => message.role === "system")) return [{ role: "system", content: systemText }, ...messages];
  if (messages.length === 0 && typeof event.prompt === "string") return [{ role: "user", content: event.prompt }];
  return messages;
}

/** `llm.input_messages.*`, `input.value` and the tools of a model call. */
export function inputAttributes(event: Loose, privacy: PrivacyConfig): Attributes {
  const attributes: Attributes = {};
  const messages = promptMessages(event);
  if (privacy.hideInputs !== true) {
    attributes["input.value"] = jsonOf({ messages });
    attributes["input.mime_type"] = "application/json";
    if (privacy.hideInputMessages !== true) messages.forEach((message, index) => messageAttributes(`llm.input_messages.${index}.message`, message, attributes));
  }
  const tools = Array.isArray(event.tools) ? event.tools : isRecord(event.tools) ? Object.entries(event.tools).map(([name, tool]) => ({ name, ...(isRecord(tool) ? tool : {}) })) : [];
  tools.forEach((tool, index) => {
    if (!isRecord(tool)) return;
    attributes[`llm.tools.${index}.tool.json_schema`] = jsonOf({
      type: "function",
      function: { name: tool.name, description: tool.description, parameters: jsonSchemaOf(tool.inputSchema ?? tool.parameters) },
    });
  });
  const parameters: Loose = {};
  for (const key of ["maxOutputTokens", "temperature", "topP", "topK", "presencePenalty", "frequencyPenalty", "stopSequences", "seed", "maxRetries"]) {
    if (event[key] !== undefined && event[key] !== null) parameters[key] = event[key];
  }
  if (Object.keys(parameters).length > 0) attributes["llm.invocation_parameters"] = jsonOf(parameters);
  return attributes;
}

/** A tool's input schema as JSON Schema: the AI SDK's schema objects carry it as `jsonSchema`. */
function jsonSchemaOf(schema: unknown): unknown {
  if (isRecord(schema) && "jsonSchema" in schema) {
    try {
      return schema.jsonSchema;
    } catch {
      return undefined;
    }
  }
  return isRecord(schema) && typeof schema.type === "string" ? schema : undefined;
}

/** `llm.output_messages.0`, `output.value`, token counts and finish reason of a finished model call. */
export function outputAttributes(event: Loose, privacy: PrivacyConfig): Attributes {
  const attributes: Attributes = {};
  // A step's content also lists the results of the tools it ran (AI SDK 6): not part of the model's answer.
  const content = (Array.isArray(event.content) ? event.content : []).filter((part) => !isRecord(part) || (part.type !== "tool-result" && part.type !== "tool-error"));
  const text = textOf(content) ?? (typeof event.text === "string" && event.text !== "" ? event.text : undefined);
  const toolCalls = content.filter((part): part is Loose => isRecord(part) && part.type === "tool-call");
  if (privacy.hideOutputs !== true) {
    attributes["output.value"] = text ?? jsonOf(toolCalls.map((call) => ({ toolName: call.toolName, input: call.input })));
    attributes["output.mime_type"] = text !== undefined ? "text/plain" : "application/json";
    if (privacy.hideOutputMessages !== true) messageAttributes("llm.output_messages.0.message", { role: "assistant", content: content.length > 0 ? content : (text ?? "") }, attributes);
  }
  Object.assign(attributes, usageAttributes(event.usage));
  if (typeof event.finishReason === "string") attributes["llm.finish_reason"] = event.finishReason;
  return attributes;
}

/** Token counts from the AI SDK's usage (6 and 7 share the field names). */
export function usageAttributes(usage: unknown): Attributes {
  const attributes: Attributes = {};
  if (!isRecord(usage)) return attributes;
  const count = (value: unknown): number | undefined => (typeof value === "number" && Number.isFinite(value) ? value : undefined);
  const prompt = count(usage.inputTokens);
  const completion = count(usage.outputTokens);
  const total = count(usage.totalTokens) ?? (prompt !== undefined && completion !== undefined ? prompt + completion : undefined);
  if (prompt !== undefined) attributes["llm.token_count.prompt"] = prompt;
  if (completion !== undefined) attributes["llm.token_count.completion"] = completion;
  if (total !== undefined) attributes["llm.token_count.total"] = total;
  const inputDetails = isRecord(usage.inputTokenDetails) ? usage.inputTokenDetails : {};
  const outputDetails = isRecord(usage.outputTokenDetails) ? usage.outputTokenDetails : {};
  const cacheRead = count(inputDetails.cacheReadTokens) ?? count(usage.cachedInputTokens);
  const cacheWrite = count(inputDetails.cacheWriteTokens);
  const reasoning = count(outputDetails.reasoningTokens) ?? count(usage.reasoningTokens);
  if (cacheRead !== undefined && cacheRead > 0) attributes["llm.token_count.prompt_details.cache_read"] = cacheRead;
  if (cacheWrite !== undefined && cacheWrite > 0) attributes["llm.token_count.prompt_details.cache_write"] = cacheWrite;
  if (reasoning !== undefined && reasoning > 0) attributes["llm.token_count.completion_details.reasoning"] = reasoning;
  return attributes;
}
