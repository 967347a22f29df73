// A stand-in for Anthropic's Messages API, as far as the `@anthropic-ai/sdk` client's `messages.create` and
// `messages.stream` go. Deterministic: the same request gets the same content, tool use and token counts.
import { countTokens, sampleArguments, sendEvents, sendJson, startServer, streamPieces, truncateTokens } from "./http.mjs";

/**
 * Starts the Anthropic stand-in on 127.0.0.1 and a free port.
 *
 * - `POST /v1/messages`: a `message` with `usage` (`input_tokens`, `output_tokens`); with `stream: true`, Anthropic's
 *   events (`message_start`, `content_block_start`, `ping`, `content_block_delta`, `content_block_stop`,
 *   `message_delta`, `message_stop`); when the request has `tools` and the last user message is not a tool result,
 *   a `tool_use` block for the first tool (or the one `tool_choice` names). `max_tokens` cuts the answer
 *   (`stop_reason: "max_tokens"`).
 * - `POST /v1/messages/count_tokens`: `{ input_tokens }`.
 *
 * The client's `baseURL` is the returned `url` without `/v1` (the Anthropic client adds `/v1/messages` itself):
 * `new Anthropic({ baseURL: standIn.url.replace(/\/v1$/, ""), apiKey: "test" })`, or use `standIn.baseURL`.
 *
 * @returns {Promise<import("./index.d.mts").AnthropicStandIn>}
 */
export async function startAnthropicStandIn() {
  let sequence = 0;
  const next = () => ++sequence;
  const server = await startServer(({ request, response }) => {
    const headers = { "request-id": `req_standin_${next()}`, "anthropic-organization-id": "stand-in" };
    if (request.method === "POST" && request.path === "/v1/messages") return messages(request.body, response, headers, next);
    if (request.method === "POST" && request.path === "/v1/messages/count_tokens") {
      if (!Array.isArray(request.body?.messages)) return invalid(response, "messages: Field required");
      sendJson(response, 200, { input_tokens: inputTokensOf(request.body) }, headers);
      return true;
    }
    return false;
  }, sendAnthropicError);
  return { url: `${server.origin}/v1`, baseURL: server.origin, requests: server.requests, close: server.close };
}

/**
 * @param {import("node:http").ServerResponse} response
 * @param {number} status
 * @param {string} message
 */
function sendAnthropicError(response, status, message) {
  const type = status === 404 ? "not_found_error" : status === 413 ? "request_too_large" : status >= 500 ? "api_error" : "invalid_request_error";
  sendJson(response, status, { type: "error", error: { type, message } });
}

/**
 * @param {any} body
 * @param {import("node:http").ServerResponse} response
 * @param {Record<string, string>} headers
 * @param {() => number} next
 */
function messages(body, response, headers, next) {
  if (typeof body?.model !== "string" || body.model === "") return invalid(response, "model: Field required");
  if (!Number.isInteger(body.max_tokens) || body.max_tokens < 1) return invalid(response, "max_tokens: Field required");
  if (!Array.isArray(body.messages) || body.messages.length === 0) return invalid(response, "messages: at least one message is required");
  const id = `msg_standin${next()}`;
  const inputTokens = inputTokensOf(body);
  const toolUse = chooseToolUse(body, next);
  const answer = toolUse === undefined ? truncateTokens(answerFor(body.messages), body.max_tokens) : undefined;
  const outputTokens = toolUse !== undefined ? countTokens(toolUse.name + JSON.stringify(toolUse.input)) : countTokens(answer?.text ?? "");
  const stopReason = toolUse !== undefined ? "tool_use" : answer?.truncated ? "max_tokens" : "end_turn";
  const content = toolUse !== undefined ? [toolUse] : [{ type: "text", text: answer?.text ?? "" }];
  const usage = { input_tokens: inputTokens, output_tokens: outputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, service_tier: "standard" };
  const message = { id, type: "message", role: "assistant", model: body.model, content, stop_reason: stopReason, stop_sequence: null, usage };

  if (body.stream !== true) {
    sendJson(response, 200, message, headers);
    return true;
  }

  /** @type {Array<{ event: string, data: string }>} */
  const events = [];
  const emit = (event, data) => events.push({ event, data: JSON.stringify({ type: event, ...data }) });
  emit("message_start", { message: { ...message, content: [], stop_reason: null, usage: { ...usage, output_tokens: 1 } } });
  if (toolUse !== undefined) {
    emit("content_block_start", { index: 0, content_block: { ...toolUse, input: {} } });
    emit("ping", {});
    const json = JSON.stringify(toolUse.input);
    for (let index = 0; index < json.length; index += 8) emit("content_block_delta", { index: 0, delta: { type: "input_json_delta", partial_json: json.slice(index, index + 8) } });
  } else {
    emit("content_block_start", { index: 0, content_block: { type: "text", text: "" } });
    emit("ping", {});
    for (const piece of streamPieces(answer?.text ?? "")) emit("content_block_delta", { index: 0, delta: { type: "text_delta", text: piece } });
  }
  emit("content_block_stop", { index: 0 });
  emit("message_delta", { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: outputTokens } });
  emit("message_stop", {});
  sendEvents(response, events, headers);
  return true;
}

/**
 * The `tool_use` block to answer with, or `undefined` for text: only with tools, a last message from the user that
 * is not a tool result, and a `tool_choice` other than `none`.
 *
 * @param {any} body
 * @param {() => number} next
 */
function chooseToolUse(body, next) {
  const tools = Array.isArray(body.tools) ? body.tools.filter((tool) => typeof tool?.name === "string" && tool.input_schema !== undefined) : [];
  const last = body.messages[body.messages.length - 1];
  if (tools.length === 0 || last?.role !== "user" || hasToolResult(last.content) || body.tool_choice?.type === "none") return undefined;
  const wanted = body.tool_choice?.type === "tool" ? body.tool_choice.name : undefined;
  const tool = tools.find((candidate) => candidate.name === wanted) ?? tools[0];
  return { type: "tool_use", id: `toolu_standin${next()}`, name: tool.name, input: sampleArguments(tool.input_schema, textOf(last.content)) };
}

/**
 * @param {any[]} messages
 * @returns {string}
 */
function answerFor(messages) {
  const last = messages[messages.length - 1];
  if (last?.role === "user" && hasToolResult(last.content)) {
    const result = last.content.find((block) => block?.type === "tool_result");
    return `The tool returned ${textOf(result?.content)}. That is the answer.`;
  }
  const user = [...messages].reverse().find((message) => message?.role === "user");
  const words = textOf(user?.content).replace(/\s+/g, " ").trim();
  const quoted = words.length > 80 ? `${words.slice(0, 77)}...` : words;
  return quoted === "" ? "This is the stand-in answering." : `This is the stand-in answering "${quoted}".`;
}

/**
 * Input tokens: the system prompt, every message's text plus 3 per message, and the tool definitions.
 *
 * @param {any} body
 * @returns {number}
 */
function inputTokensOf(body) {
  let tokens = countTokens(textOf(body.system));
  for (const message of body.messages ?? []) tokens += 3 + countTokens(textOf(message?.content));
  if (Array.isArray(body.tools)) tokens += countTokens(JSON.stringify(body.tools));
  return tokens;
}

/**
 * @param {unknown} content
 * @returns {boolean}
 */
function hasToolResult(content) {
  return Array.isArray(content) && content.some((block) => block?.type === "tool_result");
}

/**
 * The text of `content`: a string, or the text of its blocks (tool results' content included).
 *
 * @param {unknown} content
 * @returns {string}
 */
function textOf(content) {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((block) => (typeof block?.text === "string" ? block.text : block?.type === "tool_result" ? textOf(block.content) : block?.type === "tool_use" ? JSON.stringify(block.input ?? {}) : ""))
    .join(" ");
}

/**
 * @param {import("node:http").ServerResponse} response
 * @param {string} message
 */
function invalid(response, message) {
  sendJson(response, 400, { type: "error", error: { type: "invalid_request_error", message } });
  return true;
}
