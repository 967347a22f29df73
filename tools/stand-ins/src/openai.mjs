// A stand-in for OpenAI's HTTP API, as far as the `openai` client's chat completions and embeddings go.
// Deterministic: the same request gets the same content, tool calls, embeddings and token counts.
import { createHash } from "node:crypto";
import { countTokens, sampleArguments, sendEvents, sendJson, startServer, streamPieces, truncateTokens } from "./http.mjs";

/** Embedding length when the request does not ask for `dimensions`. */
const DEFAULT_DIMENSIONS = 16;

/**
 * Starts the OpenAI stand-in on 127.0.0.1 and a free port.
 *
 * - `POST /v1/chat/completions`: a JSON `chat.completion` with `usage`; with `stream: true`, `chat.completion.chunk`
 *   events ending in `data: [DONE]`, and a last chunk with `usage` (and no choices) when `stream_options.include_usage`
 *   is set; when the request has `tools` and the last message is the user's, a call of the first tool (or of the one
 *   `tool_choice` names) instead of text. `max_tokens`/`max_completion_tokens` cut the answer (`finish_reason: "length"`).
 * - `POST /v1/embeddings`: one vector per input (`dimensions`, default 16), as floats or, when
 *   `encoding_format: "base64"` (what the `openai` client asks for by default), as base64 float32 little-endian.
 * - `GET /v1/models`: a short list.
 *
 * @returns {Promise<import("./index.d.mts").StandIn>}
 */
export async function startOpenAIStandIn() {
  let sequence = 0;
  const next = () => ++sequence;
  const server = await startServer(({ request, response }) => {
    const headers = { "x-request-id": `req_standin_${next()}`, "openai-processing-ms": "1" };
    if (request.method === "POST" && request.path === "/v1/chat/completions") return chatCompletions(request.body, response, headers, next);
    if (request.method === "POST" && request.path === "/v1/embeddings") return embeddings(request.body, response, headers);
    if (request.method === "GET" && request.path === "/v1/models") {
      sendJson(response, 200, { object: "list", data: ["gpt-4o-mini", "text-embedding-3-small"].map((id) => ({ id, object: "model", created: 1700000000, owned_by: "stand-in" })) }, headers);
      return true;
    }
    return false;
  }, sendOpenAIError);
  return { url: `${server.origin}/v1`, requests: server.requests, close: server.close };
}

/**
 * @param {import("node:http").ServerResponse} response
 * @param {number} status
 * @param {string} message
 */
function sendOpenAIError(response, status, message) {
  const type = status === 404 ? "invalid_request_error" : status >= 500 ? "server_error" : "invalid_request_error";
  sendJson(response, status, { error: { message, type, param: null, code: status === 404 ? "unknown_url" : null } });
}

/**
 * @param {any} body
 * @param {import("node:http").ServerResponse} response
 * @param {Record<string, string>} headers
 * @param {() => number} next
 */
function chatCompletions(body, response, headers, next) {
  if (typeof body?.model !== "string" || body.model === "") return invalid(response, "you must provide a model parameter", "model");
  if (!Array.isArray(body.messages) || body.messages.length === 0) return invalid(response, "'messages' must be a non-empty array", "messages");
  const id = `chatcmpl-standin${next()}`;
  const created = Math.floor(Date.now() / 1000);
  const model = body.model;
  const promptTokens = promptTokensOf(body);
  const toolCall = chooseToolCall(body, next);
  const limit = body.max_completion_tokens ?? body.max_tokens;
  const answer = toolCall === undefined ? truncateTokens(answerFor(body.messages), limit) : undefined;
  const completionTokens = toolCall !== undefined ? countTokens(toolCall.function.name + toolCall.function.arguments) : countTokens(answer?.text ?? "");
  const usage = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
  const finishReason = toolCall !== undefined ? "tool_calls" : answer?.truncated ? "length" : "stop";
  const base = { id, created, model, system_fingerprint: "fp_standin", service_tier: "default" };

  if (body.stream !== true) {
    const message =
      toolCall !== undefined
        ? { role: "assistant", content: null, refusal: null, annotations: [], tool_calls: [toolCall] }
        : { role: "assistant", content: answer?.text ?? "", refusal: null, annotations: [] };
    sendJson(response, 200, { ...base, object: "chat.completion", choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }], usage }, headers);
    return true;
  }

  const includeUsage = body.stream_options?.include_usage === true;
  const chunk = (delta, finish_reason = null) => ({
    ...base,
    object: "chat.completion.chunk",
    choices: [{ index: 0, delta, logprobs: null, finish_reason }],
    ...(includeUsage ? { usage: null } : {}),
  });
  const chunks = [];
  if (toolCall !== undefined) {
    chunks.push(chunk({ role: "assistant", content: null, refusal: null, tool_calls: [{ index: 0, id: toolCall.id, type: "function", function: { name: toolCall.function.name, arguments: "" } }] }));
    for (const piece of splitEvery(toolCall.function.arguments, 8)) chunks.push(chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }));
  } else {
    chunks.push(chunk({ role: "assistant", content: "", refusal: null }));
    for (const piece of streamPieces(answer?.text ?? "")) chunks.push(chunk({ content: piece }));
  }
  chunks.push(chunk({}, finishReason));
  if (includeUsage) chunks.push({ ...base, object: "chat.completion.chunk", choices: [], usage });
  sendEvents(response, [...chunks.map((item) => ({ data: JSON.stringify(item) })), { data: "[DONE]" }], headers);
  return true;
}

/**
 * @param {any} body
 * @param {import("node:http").ServerResponse} response
 * @param {Record<string, string>} headers
 */
function embeddings(body, response, headers) {
  if (typeof body?.model !== "string" || body.model === "") return invalid(response, "you must provide a model parameter", "model");
  const input = body.input;
  /** @type {string[]} */
  let texts;
  if (typeof input === "string") texts = [input];
  else if (Array.isArray(input) && input.length > 0 && input.every((item) => typeof item === "string")) texts = input;
  else if (Array.isArray(input) && input.length > 0 && input.every((item) => typeof item === "number")) texts = [input.join(" ")];
  else if (Array.isArray(input) && input.length > 0 && input.every((item) => Array.isArray(item))) texts = input.map((item) => item.join(" "));
  else return invalid(response, "'input' must be a string, an array of strings, or tokens", "input");
  const dimensions = Number.isInteger(body.dimensions) && body.dimensions > 0 ? Math.min(body.dimensions, 4096) : DEFAULT_DIMENSIONS;
  const base64 = body.encoding_format === "base64";
  const data = texts.map((text, index) => {
    const vector = embed(text, dimensions);
    return { object: "embedding", index, embedding: base64 ? Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString("base64") : Array.from(vector) };
  });
  const tokens = texts.reduce((sum, text) => sum + countTokens(text), 0);
  sendJson(response, 200, { object: "list", data, model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } }, headers);
  return true;
}

/**
 * A unit vector derived from the text's SHA-256, as float32 (what OpenAI's base64 encoding carries).
 *
 * @param {string} text
 * @param {number} dimensions
 * @returns {Float32Array}
 */
export function embed(text, dimensions) {
  const vector = new Float32Array(dimensions);
  let block = Buffer.alloc(0);
  for (let index = 0; index < dimensions; index++) {
    if (index % 16 === 0)
      block = createHash("sha256")
        .update(`${index / 16}:${text}`)
        .digest();
    const word = block.readUInt16LE((index % 16) * 2);
    vector[index] = word / 32767.5 - 1;
  }
  const norm = Math.hypot(...vector) || 1;
  for (let index = 0; index < dimensions; index++) vector[index] = (vector[index] ?? 0) / norm;
  return vector;
}

/**
 * The tool call to answer with, or `undefined` for a text answer: only when there are tools, the last message is
 * the user's, and `tool_choice` is not `"none"`.
 *
 * @param {any} body
 * @param {() => number} next
 */
function chooseToolCall(body, next) {
  const tools = Array.isArray(body.tools) ? body.tools.filter((tool) => tool?.type === "function" && typeof tool.function?.name === "string") : [];
  const last = body.messages[body.messages.length - 1];
  if (tools.length === 0 || last?.role !== "user" || body.tool_choice === "none") return undefined;
  const wanted = typeof body.tool_choice === "object" && body.tool_choice !== null ? body.tool_choice.function?.name : undefined;
  const tool = tools.find((candidate) => candidate.function.name === wanted) ?? tools[0];
  const argumentsText = JSON.stringify(sampleArguments(tool.function.parameters, textOf(last.content)));
  return { id: `call_standin${next()}`, type: "function", function: { name: tool.function.name, arguments: argumentsText } };
}

/**
 * The deterministic answer: to a tool result, what the tool returned; otherwise a reply naming the user's words.
 *
 * @param {any[]} messages
 * @returns {string}
 */
function answerFor(messages) {
  const last = messages[messages.length - 1];
  if (last?.role === "tool") return `The tool returned ${textOf(last.content)}. That is the answer.`;
  const user = [...messages].reverse().find((message) => message?.role === "user");
  const words = textOf(user?.content).replace(/\s+/g, " ").trim();
  const quoted = words.length > 80 ? `${words.slice(0, 77)}...` : words;
  return quoted === "" ? "This is the stand-in answering." : `This is the stand-in answering "${quoted}".`;
}

/**
 * Prompt tokens: every message's text plus 3 per message, and the tool definitions.
 *
 * @param {any} body
 * @returns {number}
 */
function promptTokensOf(body) {
  let tokens = 3;
  for (const message of body.messages) tokens += 3 + countTokens(textOf(message?.content)) + countTokens(JSON.stringify(message?.tool_calls ?? ""));
  if (Array.isArray(body.tools)) tokens += countTokens(JSON.stringify(body.tools));
  return tokens;
}

/**
 * The text of a message's `content`: a string, or the `text` of its parts.
 *
 * @param {unknown} content
 * @returns {string}
 */
function textOf(content) {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((part) => (typeof part?.text === "string" ? part.text : "")).join(" ");
  return "";
}

/**
 * @param {string} text
 * @param {number} size
 * @returns {string[]}
 */
function splitEvery(text, size) {
  const pieces = [];
  for (let index = 0; index < text.length; index += size) pieces.push(text.slice(index, index + size));
  return pieces;
}

/**
 * @param {import("node:http").ServerResponse} response
 * @param {string} message
 * @param {string} param
 */
function invalid(response, message, param) {
  sendJson(response, 400, { error: { message, type: "invalid_request_error", param, code: null } });
  return true;
}
