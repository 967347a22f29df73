// From @google/genai's parameters and responses to OpenInference span attributes. Each call builds one attributes
// object for the start of its span and one for the end; nothing here keeps state between calls.
import type { Attributes } from "@opentelemetry/api";
import {
  EMBEDDING_EMBEDDINGS,
  EMBEDDING_MODEL_NAME,
  INPUT_MIME_TYPE,
  INPUT_VALUE,
  LLM_INPUT_MESSAGES,
  LLM_INVOCATION_PARAMETERS,
  LLM_MODEL_NAME,
  LLM_OUTPUT_MESSAGES,
  LLM_PROVIDER,
  LLM_SYSTEM,
  LLM_TOKEN_COUNT_COMPLETION,
  LLM_TOKEN_COUNT_COMPLETION_DETAILS_REASONING,
  LLM_TOKEN_COUNT_PROMPT,
  LLM_TOKEN_COUNT_PROMPT_DETAILS_AUDIO,
  LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_READ,
  LLM_TOKEN_COUNT_TOTAL,
  LLM_TOOLS,
  OUTPUT_MIME_TYPE,
  OUTPUT_VALUE,
  SemanticConventions,
} from "@arizeai/openinference-semantic-conventions";
import type { GenAIContent, GenAIContentInput, GenAIParams, GenAIPart, GenAIResponse, GenAIUsage } from "./genai-types";

const SPAN_KIND = SemanticConventions.OPENINFERENCE_SPAN_KIND;
const JSON_MIME = "application/json";
const TEXT_MIME = "text/plain";
/** The `config` entries that are not invocation parameters: recorded elsewhere, or not data at all. */
const NOT_PARAMETERS = new Set(["systemInstruction", "tools", "httpOptions", "abortSignal"]);

/** `models/gemini-2.5-flash` and `gemini-2.5-flash` name the same model; spans use the short form. */
function modelNameOf(model: unknown): string | undefined {
  if (typeof model !== "string") return undefined;
  return model.startsWith("models/") ? model.slice(7) : model;
}

/**
 * The contents in the one shape the API receives, a list of turns, from any shape the client accepts: a string, a
 * part, a list of parts (one user turn), a content, or a list of contents.
 */
export function contentsOf(input: GenAIContentInput | undefined, role = "user"): GenAIContent[] {
  if (input === undefined || input === null) return [];
  if (typeof input === "string") return [{ role, parts: [{ text: input }] }];
  if (!Array.isArray(input)) {
    const single = input as GenAIContent & GenAIPart;
    return Array.isArray(single.parts) ? [single] : [{ role, parts: [single] }];
  }
  const list = input as ReadonlyArray<string | GenAIPart | GenAIContent>;
  const first = list[0];
  if (first !== undefined && typeof first === "object" && Array.isArray((first as GenAIContent).parts)) return list as GenAIContent[];
  const parts: GenAIPart[] = [];
  for (const item of list) parts.push(typeof item === "string" ? { text: item } : (item as GenAIPart));
  return [{ role, parts }];
}

/** A media part as a reference: the file's URI, or the inline data's type and size, never its bytes. */
function mediaReference(part: GenAIPart): string | undefined {
  if (part.fileData !== undefined) return part.fileData.fileUri ?? `file:${part.fileData.mimeType ?? "unknown"}`;
  if (part.inlineData !== undefined) {
    const data = part.inlineData.data;
    // base64: 4 characters carry 3 bytes.
    const bytes = typeof data === "string" ? Math.floor((data.length * 3) / 4) : 0;
    return `inline:${part.inlineData.mimeType ?? "application/octet-stream"};${bytes} bytes`;
  }
  return undefined;
}

/** Compact JSON for attribute values; a value that cannot be serialised is recorded as its type. */
function toJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? "null";
  } catch {
    return `"[${typeof value}]"`;
  }
}

/**
 * Writes `contents` as OpenInference messages under `prefix` (`llm.input_messages` / `llm.output_messages`), from
 * message `index` on; returns the next free index. Gemini's `model` role is OpenInference's `assistant`; each
 * function response becomes a `tool` message; thoughts are left out.
 */
function writeMessages(attributes: Attributes, prefix: string, contents: readonly GenAIContent[], index: number): number {
  for (const content of contents) {
    const parts = content.parts ?? [];
    const role = content.role === "model" ? "assistant" : (content.role ?? "user");
    const at = `${prefix}.${index}.`;
    let text: string | undefined;
    let hasMedia = false;
    let calls = 0;
    for (const part of parts) {
      if (part.functionResponse !== undefined) continue;
      if (part.functionCall !== undefined) {
        const call = `${at}message.tool_calls.${calls++}.tool_call.`;
        attributes[`${call}function.name`] = part.functionCall.name ?? "";
        attributes[`${call}function.arguments`] = toJson(part.functionCall.args ?? {});
        if (part.functionCall.id !== undefined) attributes[`${call}id`] = part.functionCall.id;
      } else if (typeof part.text === "string" && part.thought !== true) {
        text = text === undefined ? part.text : text + part.text;
      } else if (part.inlineData !== undefined || part.fileData !== undefined) {
        hasMedia = true;
      }
    }
    if (hasMedia) {
      // Text and images in order, as the part list has them.
      let item = 0;
      for (const part of parts) {
        const reference = mediaReference(part);
        const contentAt = `${at}message.contents.${item}.message_content.`;
        if (reference !== undefined) {
          const image = (part.inlineData?.mimeType ?? part.fileData?.mimeType ?? "image/").startsWith("image/");
          attributes[`${contentAt}type`] = image ? "image" : "text";
          if (image) attributes[`${contentAt}image.image.url`] = reference;
          else attributes[`${contentAt}text`] = `[${reference}]`;
          item++;
        } else if (typeof part.text === "string" && part.thought !== true) {
          attributes[`${contentAt}type`] = "text";
          attributes[`${contentAt}text`] = part.text;
          item++;
        }
      }
    } else if (text !== undefined) {
      attributes[`${at}message.content`] = text;
    }
    if (hasMedia || text !== undefined || calls > 0) {
      attributes[`${at}message.role`] = role;
      index++;
    }
    for (const part of parts) {
      const response = part.functionResponse;
      if (response === undefined) continue;
      const toolAt = `${prefix}.${index++}.message.`;
      attributes[`${toolAt}role`] = "tool";
      attributes[`${toolAt}name`] = response.name ?? "";
      attributes[`${toolAt}content`] = toJson(response.response ?? {});
      if (response.id !== undefined) attributes[`${toolAt}tool_call_id`] = response.id;
    }
  }
  return index;
}

/** JSON of `contents` with inline bytes replaced by their references. */
function contentsJson(input: GenAIContentInput): string {
  const json = toJson(input);
  // Cheap test first: most calls carry no inline data, and a replacer costs a call per value.
  if (!json.includes('"inlineData"')) return json;
  return toJson(
    JSON.parse(json, (key, value: unknown) =>
      key === "inlineData" && value !== null && typeof value === "object"
        ? { mimeType: (value as { mimeType?: string }).mimeType, data: mediaReference({ inlineData: value as { data?: string } }) }
        : value,
    ),
  );
}

/** `config` without the system instruction, tools, HTTP options and abort signal, as JSON. */
function invocationParameters(config: Readonly<Record<string, unknown>> | undefined): string {
  if (config === undefined) return "{}";
  const parameters: Record<string, unknown> = {};
  for (const key in config) {
    const value = config[key];
    if (value === undefined || typeof value === "function" || NOT_PARAMETERS.has(key)) continue;
    parameters[key] = value;
  }
  return toJson(parameters);
}

/** `llm.tools`: each function declaration, and each other tool (search, code execution) as a whole. */
function writeTools(attributes: Attributes, tools: readonly unknown[]): void {
  let index = 0;
  for (const tool of tools) {
    if (tool === null || typeof tool !== "object") continue;
    const declarations = (tool as { functionDeclarations?: unknown }).functionDeclarations;
    if (Array.isArray(declarations)) {
      for (const declaration of declarations) attributes[`${LLM_TOOLS}.${index++}.tool.json_schema`] = toJson(declaration);
    } else if (typeof (tool as { callTool?: unknown }).callTool !== "function") {
      // A callable tool (an MCP client) describes itself asynchronously: it is left out rather than awaited.
      attributes[`${LLM_TOOLS}.${index++}.tool.json_schema`] = toJson(tool);
    }
  }
}

/** The attributes of an LLM span at its start: model, parameters, tools, input messages and value. */
export function llmRequestAttributes(params: GenAIParams, system: string | undefined): Attributes {
  const model = modelNameOf(params.model);
  const config = params.config;
  const attributes: Attributes = { [SPAN_KIND]: "LLM", [LLM_PROVIDER]: "google", [LLM_INVOCATION_PARAMETERS]: invocationParameters(config) };
  if (system !== undefined) attributes[LLM_SYSTEM] = system;
  if (model !== undefined) attributes[LLM_MODEL_NAME] = model;
  const contents = params.contents;
  if (contents !== undefined) {
    if (typeof contents === "string") {
      attributes[INPUT_VALUE] = contents;
      attributes[INPUT_MIME_TYPE] = TEXT_MIME;
    } else {
      attributes[INPUT_VALUE] = contentsJson(contents);
      attributes[INPUT_MIME_TYPE] = JSON_MIME;
    }
  }
  let index = 0;
  if (config?.systemInstruction !== undefined) index = writeMessages(attributes, LLM_INPUT_MESSAGES, contentsOf(config.systemInstruction, "system"), index);
  writeMessages(attributes, LLM_INPUT_MESSAGES, contentsOf(contents), index);
  if (Array.isArray(config?.tools)) writeTools(attributes, config.tools);
  return attributes;
}

/** The text of a candidate's content without its thoughts, or `undefined` when it has none. */
function textOf(content: GenAIContent | undefined): string | undefined {
  let text: string | undefined;
  for (const part of content?.parts ?? []) if (typeof part.text === "string" && part.thought !== true) text = text === undefined ? part.text : text + part.text;
  return text;
}

/** Token counts from `usageMetadata`: completion includes the thoughts, which are also its reasoning detail. */
export function writeUsage(attributes: Attributes, usage: GenAIUsage | undefined): void {
  if (usage === undefined || usage === null) return;
  const thoughts = usage.thoughtsTokenCount;
  if (usage.promptTokenCount !== undefined) attributes[LLM_TOKEN_COUNT_PROMPT] = usage.promptTokenCount + (usage.toolUsePromptTokenCount ?? 0);
  if (usage.candidatesTokenCount !== undefined || thoughts !== undefined) attributes[LLM_TOKEN_COUNT_COMPLETION] = (usage.candidatesTokenCount ?? 0) + (thoughts ?? 0);
  if (usage.totalTokenCount !== undefined) attributes[LLM_TOKEN_COUNT_TOTAL] = usage.totalTokenCount;
  if (usage.cachedContentTokenCount !== undefined) attributes[LLM_TOKEN_COUNT_PROMPT_DETAILS_CACHE_READ] = usage.cachedContentTokenCount;
  if (thoughts !== undefined) attributes[LLM_TOKEN_COUNT_COMPLETION_DETAILS_REASONING] = thoughts;
  const details = usage.promptTokensDetails;
  if (details !== undefined) for (const detail of details) if (detail.modality === "AUDIO" && detail.tokenCount !== undefined) attributes[LLM_TOKEN_COUNT_PROMPT_DETAILS_AUDIO] = detail.tokenCount;
}

/** The attributes of an LLM span at its end, from the response (or from a stream's accumulated response). */
export function llmResponseAttributes(response: GenAIResponse | undefined): Attributes {
  const attributes: Attributes = {};
  if (response === undefined || response === null) return attributes;
  if (typeof response.modelVersion === "string" && response.modelVersion !== "") attributes[LLM_MODEL_NAME] = response.modelVersion;
  const content = response.candidates?.[0]?.content;
  if (content !== undefined) {
    writeMessages(attributes, LLM_OUTPUT_MESSAGES, [{ role: content.role ?? "model", parts: content.parts ?? [] }], 0);
    const text = textOf(content);
    if (text !== undefined) {
      attributes[OUTPUT_VALUE] = text;
      attributes[OUTPUT_MIME_TYPE] = TEXT_MIME;
    } else {
      const calls: unknown[] = [];
      for (const part of content.parts ?? []) if (part.functionCall !== undefined) calls.push(part.functionCall);
      attributes[OUTPUT_VALUE] = toJson(calls.length > 0 ? calls : content);
      attributes[OUTPUT_MIME_TYPE] = JSON_MIME;
    }
  }
  writeUsage(attributes, response.usageMetadata);
  return attributes;
}

/** The attributes of an EMBEDDING span at its start: model, parameters and the texts. */
export function embeddingRequestAttributes(params: GenAIParams): Attributes {
  const model = modelNameOf(params.model);
  const attributes: Attributes = { [SPAN_KIND]: "EMBEDDING", [LLM_PROVIDER]: "google", [LLM_INVOCATION_PARAMETERS]: invocationParameters(params.config) };
  if (model !== undefined) attributes[EMBEDDING_MODEL_NAME] = model;
  const contents = params.contents;
  if (contents !== undefined) {
    attributes[INPUT_VALUE] = typeof contents === "string" ? contents : contentsJson(contents);
    attributes[INPUT_MIME_TYPE] = typeof contents === "string" ? TEXT_MIME : JSON_MIME;
    // Each content (a string, a part or a content) is one embedding, in order.
    const list = Array.isArray(contents) ? (contents as ReadonlyArray<string | GenAIPart | GenAIContent>) : [contents as string | GenAIPart | GenAIContent];
    let index = 0;
    for (const item of list) {
      const text = typeof item === "string" ? item : Array.isArray((item as GenAIContent).parts) ? textOf(item as GenAIContent) : (item as GenAIPart).text;
      if (text !== undefined) attributes[`${EMBEDDING_EMBEDDINGS}.${index}.embedding.text`] = text;
      index++;
    }
  }
  return attributes;
}

/** The attributes of an EMBEDDING span at its end: the vectors. */
export function embeddingResponseAttributes(response: { embeddings?: ReadonlyArray<{ values?: readonly number[] }> } | undefined): Attributes {
  const attributes: Attributes = {};
  const embeddings = response?.embeddings;
  if (embeddings === undefined) return attributes;
  for (let index = 0; index < embeddings.length; index++) {
    const values = embeddings[index]?.values;
    if (values !== undefined) attributes[`${EMBEDDING_EMBEDDINGS}.${index}.embedding.vector`] = values as number[];
  }
  return attributes;
}

/** The attributes of a token count's span at its start: a CHAIN span (no generation, so no token usage is billed). */
export function countTokensRequestAttributes(params: GenAIParams): Attributes {
  const model = modelNameOf(params.model);
  const attributes: Attributes = { [SPAN_KIND]: "CHAIN", [LLM_PROVIDER]: "google" };
  if (model !== undefined) attributes[LLM_MODEL_NAME] = model;
  const contents = params.contents;
  if (contents !== undefined) {
    attributes[INPUT_VALUE] = typeof contents === "string" ? contents : contentsJson(contents);
    attributes[INPUT_MIME_TYPE] = typeof contents === "string" ? TEXT_MIME : JSON_MIME;
  }
  return attributes;
}

/** The attributes of a token count's span at its end: the count as the output. */
export function countTokensResponseAttributes(response: { totalTokens?: number } | undefined): Attributes {
  return { [OUTPUT_VALUE]: toJson({ totalTokens: response?.totalTokens }), [OUTPUT_MIME_TYPE]: JSON_MIME };
}
