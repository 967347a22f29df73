// OpenAI's Responses API (`POST /v1/responses`) for the OpenAI stand-in: what `@ai-sdk/openai`'s default model
// (`openai("gpt-4o-mini")`) calls. Answers like the chat completions of openai.mjs: a call of the first tool when the
// request has tools and the last input is the user's, otherwise the deterministic text answer; JSON or SSE events.
import { countTokens, sendEvents, sendJson, streamPieces } from "./http.mjs";
import { answerFor, chooseToolCall } from "./openai.mjs";

/**
 * The Responses API's `input` as chat messages: user/system/developer items keep their role and text, a
 * `function_call_output` becomes a `tool` message, calls and references to earlier output items the assistant's.
 *
 * @param {any} body
 * @returns {Array<{ role: string; content: string }>}
 */
function messagesOf(body) {
  const items = typeof body.input === "string" ? [{ role: "user", content: body.input }] : Array.isArray(body.input) ? body.input : [];
  return items.map((item) => {
    if (item?.type === "function_call_output") return { role: "tool", content: typeof item.output === "string" ? item.output : JSON.stringify(item.output) };
    if (item?.type === "function_call" || item?.type === "item_reference" || item?.role === "assistant") return { role: "assistant", content: textOf(item?.content) };
    return { role: typeof item?.role === "string" ? item.role : "user", content: textOf(item?.content) };
  });
}

/** @param {unknown} content */
function textOf(content) {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((part) => (typeof part?.text === "string" ? part.text : "")).join(" ");
  return "";
}

/**
 * @param {any} body
 * @param {import("node:http").ServerResponse} response
 * @param {Record<string, string>} headers
 * @param {() => number} next
 */
export function responses(body, response, headers, next) {
  if (typeof body?.model !== "string" || body.model === "") {
    sendJson(response, 400, { error: { message: "you must provide a model parameter", type: "invalid_request_error", param: "model", code: null } });
    return true;
  }
  const messages = messagesOf(body);
  if (messages.length === 0) {
    sendJson(response, 400, { error: { message: "'input' must be a string or a non-empty array", type: "invalid_request_error", param: "input", code: null } });
    return true;
  }
  // The chat-completions shape of the tools, so the choice of tool and its arguments are the same as there.
  const tools = Array.isArray(body.tools)
    ? body.tools.filter((tool) => tool?.type === "function").map((tool) => ({ type: "function", function: { name: tool.name, parameters: tool.parameters } }))
    : [];
  const toolChoice = typeof body.tool_choice === "object" && body.tool_choice !== null ? { type: "function", function: { name: body.tool_choice.name } } : body.tool_choice;
  const call = chooseToolCall({ messages, tools, tool_choice: toolChoice }, next);
  const id = `resp_standin${next()}`;
  const itemId = `${call === undefined ? "msg" : "fc"}_standin${next()}`;
  const created_at = Math.floor(Date.now() / 1000);
  const text = call === undefined ? answerFor(messages) : undefined;
  const inputTokens =
    3 + messages.reduce((sum, message) => sum + 3 + countTokens(message.content), 0) + (tools.length > 0 ? countTokens(JSON.stringify(tools)) : 0) + countTokens(body.instructions ?? "");
  const outputTokens = call !== undefined ? countTokens(call.function.name + call.function.arguments) : countTokens(text ?? "");
  const usage = {
    input_tokens: inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: inputTokens + outputTokens,
  };
  const item =
    call !== undefined
      ? { type: "function_call", id: itemId, call_id: call.id, name: call.function.name, arguments: call.function.arguments, status: "completed" }
      : { type: "message", id: itemId, status: "completed", role: "assistant", content: [{ type: "output_text", text, annotations: [], logprobs: [] }] };
  const base = { id, object: "response", created_at, model: body.model, service_tier: "default", incomplete_details: null, error: null };
  if (body.stream !== true) {
    sendJson(response, 200, { ...base, status: "completed", output: [item], usage }, headers);
    return true;
  }
  let sequence = 0;
  const event = (data) => ({ event: data.type, data: JSON.stringify({ ...data, sequence_number: sequence++ }) });
  const events = [event({ type: "response.created", response: { ...base, status: "in_progress", output: [] } })];
  if (call !== undefined) {
    events.push(event({ type: "response.output_item.added", output_index: 0, item: { ...item, arguments: "", status: "in_progress" } }));
    events.push(event({ type: "response.function_call_arguments.delta", item_id: itemId, output_index: 0, delta: call.function.arguments }));
    events.push(event({ type: "response.function_call_arguments.done", item_id: itemId, output_index: 0, arguments: call.function.arguments }));
  } else {
    events.push(event({ type: "response.output_item.added", output_index: 0, item: { type: "message", id: itemId, status: "in_progress", role: "assistant", content: [] } }));
    const part = { item_id: itemId, output_index: 0, content_index: 0 };
    events.push(event({ type: "response.content_part.added", ...part, part: { type: "output_text", text: "", annotations: [] } }));
    for (const piece of streamPieces(text ?? "")) events.push(event({ type: "response.output_text.delta", ...part, delta: piece, logprobs: [] }));
    events.push(event({ type: "response.output_text.done", ...part, text, logprobs: [] }));
    events.push(event({ type: "response.content_part.done", ...part, part: { type: "output_text", text, annotations: [] } }));
  }
  events.push(event({ type: "response.output_item.done", output_index: 0, item }));
  events.push(event({ type: "response.completed", response: { ...base, status: "completed", output: [item], usage } }));
  sendEvents(response, events, headers);
  return true;
}
