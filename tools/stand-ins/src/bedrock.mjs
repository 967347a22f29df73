// A stand-in for the Amazon Bedrock Runtime API, as far as `@aws-sdk/client-bedrock-runtime`'s `ConverseCommand` and
// `InvokeModelCommand` (Anthropic's Messages body) go, and for the Bedrock Agent Runtime's `InvokeAgentCommand` (an
// event stream) and `RetrieveCommand` (`@aws-sdk/client-bedrock-agent-runtime`). Deterministic: the same request gets
// the same answer and token counts. It does not check the SigV4 signature: any static credentials do.
import { encodeJsonEvent } from "./event-stream.mjs";
import { countTokens, sendJson, startServer } from "./http.mjs";

/**
 * Starts the Bedrock Runtime stand-in on 127.0.0.1 and a free port.
 *
 * - `POST /model/{modelId}/converse`: `output.message` with one text block, `stopReason: "end_turn"`, `usage`
 *   (`inputTokens`, `outputTokens`, `totalTokens`), `metrics.latencyMs`.
 * - `POST /model/{modelId}/invoke` with an Anthropic Messages body (`anthropic_version`, `messages`, `max_tokens`):
 *   an Anthropic `message` with `usage`.
 * - `POST /agents/{agentId}/agentAliases/{aliasId}/sessions/{sessionId}/text` (InvokeAgent): an event stream of two
 *   `chunk` events whose bytes are the answer to `inputText`.
 * - `POST /knowledgebases/{knowledgeBaseId}/retrieve`: two `retrievalResults` for `retrievalQuery.text`.
 *
 * It speaks HTTP/2 without TLS, as the client's default handler does with an `http:` endpoint. The client's
 * `endpoint` is the returned `url`; give it static credentials and any region.
 *
 * @returns {Promise<import("./index.d.mts").BedrockStandIn>}
 */
export async function startBedrockStandIn() {
  let sequence = 0;
  const server = await startServer(
    ({ request, response }) => {
      if (request.method === "POST" && agentRoute(request, response, ++sequence)) return true;
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
    },
    sendBedrockError,
    { http2: true },
  );
  return { url: server.origin, requests: server.requests, close: server.close };
}

/**
 * The Agent Runtime's routes: InvokeAgent and Retrieve. Returns false for any other path.
 *
 * @param {import("./http.mjs").RecordedRequest} request
 * @param {import("node:http").ServerResponse} response
 * @param {number} sequence
 * @returns {boolean}
 */
function agentRoute(request, response, sequence) {
  const invoke = /^\/agents\/([^/]+)\/agentAliases\/([^/]+)\/sessions\/([^/]+)\/text$/.exec(request.path);
  if (invoke !== null) {
    const input = request.body?.inputText;
    if (typeof input !== "string" || input === "") {
      sendBedrockError(response, 400, "inputText: must not be empty");
      return true;
    }
    const answer = `Stand-in agent answer to: ${input}`;
    const middle = Math.ceil(answer.length / 2);
    response.writeHead(200, {
      "content-type": "application/vnd.amazon.eventstream",
      "x-amzn-bedrock-agent-content-type": "application/json",
      "x-amz-bedrock-agent-session-id": decodeURIComponent(invoke[3] ?? ""),
      "x-amzn-requestid": `standin-${sequence}`,
    });
    for (const part of [answer.slice(0, middle), answer.slice(middle)]) {
      response.write(encodeJsonEvent("chunk", { bytes: Buffer.from(part, "utf8").toString("base64") }));
    }
    response.end();
    return true;
  }
  const retrieve = /^\/knowledgebases\/([^/]+)\/retrieve$/.exec(request.path);
  if (retrieve !== null) {
    const query = request.body?.retrievalQuery?.text;
    if (typeof query !== "string" || query === "") {
      sendBedrockError(response, 400, "retrievalQuery.text: must not be empty");
      return true;
    }
    const knowledgeBase = decodeURIComponent(retrieve[1] ?? "");
    sendJson(
      response,
      200,
      {
        retrievalResults: [1, 2].map((rank) => ({
          content: { type: "TEXT", text: `Stand-in passage ${rank} about ${query}` },
          location: { type: "S3", s3Location: { uri: `s3://stand-in/${knowledgeBase}/doc-${rank}.txt` } },
          score: 1 / rank,
        })),
      },
      { "x-amzn-requestid": `standin-${sequence}` },
    );
    return true;
  }
  return false;
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
