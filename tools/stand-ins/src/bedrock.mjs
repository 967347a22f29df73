// A stand-in for the Amazon Bedrock Runtime API, as far as `@aws-sdk/client-bedrock-runtime`'s `ConverseCommand` and
// `InvokeModelCommand` (Anthropic's Messages body) go. Deterministic: the same request gets the same answer and token
// counts. It does not check the SigV4 signature: any static credentials do.
import { countTokens, sendJson, startServer } from "./http.mjs";

/**
 * Starts the Bedrock Runtime stand-in on 127.0.0.1 and a free port.
 *
 * - `POST /model/{modelId}/converse`: `output.message` with one text block, `stopReason: "end_turn"`, `usage`
 *   (`inputTokens`, `outputTokens`, `totalTokens`), `metrics.latencyMs`.
 * - `POST /model/{modelId}/invoke` with an Anthropic Messages body (`anthropic_version`, `messages`, `max_tokens`):
 *   an Anthropic `message` with `usage`.
 *
 * It speaks HTTP/2 without TLS, as the client's default handler does with an `http:` endpoint. The client's
 * `endpoint` is the returned `url`; give it static credentials and any region.
 *
 * @returns {Promise<import("./index.d.mts").BedrockStandIn>}
 */
export async function startBedrockStandIn() {
  let sequence = 0;
  const server = await startServer(({ request, response }) => {
    const match = /^\/model\/([^/]+)\/(converse|invoke)$/.exec(request.path);
    if (request.method !== "POST" || match === null) return false;
    const modelId = decodeURIComponent(match[1] ?? "");
    const headers = { "x-amzn-requestid": `standin-${++sequence}` };
    const prompt = lastUserText(request.body?.messages);
    if (prompt === undefined) {
      sendBedrockError(response, 400, "messages: at least one user message with text is required");
      return true;
    }
    const text = `Stand-in answer to: ${prompt}`;
    const inputTokens = countTokens(prompt);
    const outputTokens = countTokens(text);
    if (match[2] === "converse") {
      sendJson(
        response,
        200,
        {
          output: { message: { role: "assistant", content: [{ text }] } },
          stopReason: "end_turn",
          usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
          metrics: { latencyMs: 1 },
        },
        headers,
      );
      return true;
    }
    sendJson(
      response,
      200,
      {
        id: `msg_bdrk_standin${sequence}`,
        type: "message",
        role: "assistant",
        model: modelId,
        content: [{ type: "text", text }],
        stop_reason: "end_turn",
        stop_sequence: null,
        usage: { input_tokens: inputTokens, output_tokens: outputTokens },
      },
      headers,
    );
    return true;
  }, sendBedrockError, { http2: true });
  return { url: server.origin, requests: server.requests, close: server.close };
}

/**
 * The text of the last user message, in Converse's (`content: [{ text }]`) or Anthropic's shape (a string, or
 * `[{ type: "text", text }]`).
 *
 * @param {unknown} messages
 * @returns {string | undefined}
 */
function lastUserText(messages) {
  if (!Array.isArray(messages)) return undefined;
  const last = [...messages].reverse().find((message) => message?.role === "user");
  if (typeof last?.content === "string") return last.content;
  if (!Array.isArray(last?.content)) return undefined;
  const texts = last.content.map((block) => (typeof block?.text === "string" ? block.text : "")).filter((text) => text !== "");
  return texts.length === 0 ? undefined : texts.join("\n");
}

/**
 * Errors in the shape the AWS SDK reads: the error type in `x-amzn-errortype`, the message in the body.
 *
 * @param {import("node:http").ServerResponse} response
 * @param {number} status
 * @param {string} message
 */
function sendBedrockError(response, status, message) {
  const type = status === 404 ? "ResourceNotFoundException" : status >= 500 ? "InternalServerException" : "ValidationException";
  sendJson(response, status, { message }, { "x-amzn-errortype": `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/` });
}
