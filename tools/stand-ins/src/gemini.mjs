// A stand-in for Google's Gemini API (generativelanguage.googleapis.com), as far as the `@google/genai` client's
// `models.generateContent`, `generateContentStream`, `embedContent` and `countTokens` (and chats, which use the same
// methods) go. Deterministic: the same request gets the same content, function calls, embeddings and token counts.
import { countTokens, sampleArguments, sendJson, startServer, streamPieces, truncateTokens } from "./http.mjs";
import { embed } from "./openai.mjs";

/** Embedding length when the request does not ask for `outputDimensionality`. */
const DEFAULT_DIMENSIONS = 16;
/** What the Gemini API counts for one image or other inline/file part, whatever its size. */
const MEDIA_TOKENS = 258;
/** Thinking tokens reported when the request turns thinking on (`thinkingConfig` with a budget other than 0). */
const THOUGHTS_TOKENS = 7;
/** The model names that make the stand-in fail on purpose, e.g. `gemini-error-429`: the status to answer with. */
const FAILING_MODEL = /-error-(400|429|500|503)$/;
/** A model whose stream sends one chunk and then an error event in the stream, e.g. `gemini-stream-error-500`. */
const FAILING_STREAM_MODEL = /-stream-error-(429|500|503)$/;
/** `/v1beta/models/gemini-2.5-flash:generateContent` → version, model, method. */
const MODEL_METHOD_PATH = /^\/(v1|v1beta|v1alpha)\/models\/([^/:]+):([A-Za-z]+)$/;

/** The google.rpc status name the Gemini API gives with each HTTP status. */
const STATUS_NAMES = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  413: "INVALID_ARGUMENT",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
};

/** The messages the Gemini API sends with the failures the stand-in can be asked for. */
const FAILURE_MESSAGES = {
  400: "Request contains an invalid argument.",
  429: "You exceeded your current quota, please check your plan and billing details.",
  500: "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",
  503: "The model is overloaded. Please try again later.",
};

/**
 * Starts the Gemini stand-in on 127.0.0.1 and a free port. The `@google/genai` client's `httpOptions.baseUrl` is the
 * returned `url` (the client adds `/v1beta/models/...` itself).
 *
 * - `POST /{v1beta|v1}/models/{model}:generateContent`: one candidate with `usageMetadata` (`promptTokenCount`,
 *   `candidatesTokenCount`, `totalTokenCount`, `promptTokensDetails`, and `thoughtsTokenCount` /
 *   `cachedContentTokenCount` when thinking / `cachedContent` is asked for); with `tools` of `functionDeclarations` and
 *   a last user turn that is not a `functionResponse`, a `functionCall` of the first declaration (or of
 *   `toolConfig.functionCallingConfig.allowedFunctionNames[0]`), unless the mode is `NONE`. `maxOutputTokens` cuts
 *   the answer (`finishReason: "MAX_TOKENS"`).
 * - `:streamGenerateContent?alt=sse`: the same answer as `data:` events separated by CRLF CRLF; every chunk carries the
 *   running `usageMetadata` (the prompt count), the last one the full counts and the `finishReason`. Without
 *   `alt=sse`, a JSON array of the chunks.
 * - `:embedContent` (`{ embedding: { values } }`) and `:batchEmbedContents` (`{ embeddings: [{ values }] }`):
 *   unit vectors derived from the text (`outputDimensionality`, default 16).
 * - `:countTokens`: `{ totalTokens, promptTokensDetails }`.
 * - Errors as `{ error: { code, message, status } }`: 400 for a bad request, 403 without an API key, 404 for an
 *   unknown path; a model named `...-error-400|429|500|503` answers that status (429 with a `RetryInfo` detail), and
 *   `...-stream-error-429|500|503` streams one chunk and then an error event.
 *
 * @returns {Promise<import("./index.d.mts").GeminiStandIn>}
 */
export async function startGeminiStandIn() {
  let sequence = 0;
  const next = () => ++sequence;
  const server = await startServer(({ request, response }) => {
    const match = request.method === "POST" ? MODEL_METHOD_PATH.exec(request.path) : null;
    if (match === null) return false;
    const model = decodeURIComponent(match[2] ?? "");
    const method = match[3];
    if (method !== "generateContent" && method !== "streamGenerateContent" && method !== "embedContent" && method !== "batchEmbedContents" && method !== "countTokens") return false;
    if (!hasApiKey(request))
      return sendGeminiError(
        response,
        403,
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
      );
    const failing = FAILING_STREAM_MODEL.test(model) ? null : FAILING_MODEL.exec(model);
    if (failing !== null) return sendFailure(response, Number(failing[1]), model);
    switch (method) {
      case "generateContent":
      case "streamGenerateContent":
        return generateContent(model, request.body, response, method === "streamGenerateContent" ? (request.query.alt === "sse" ? "sse" : "array") : "json", next);
      case "embedContent":
        return embedOne(model, request.body, response);
      case "batchEmbedContents":
        return embedBatch(model, request.body, response);
      default:
        return countTokensOf(request.body, response);
    }
  }, sendGeminiError);
  return { url: server.origin, requests: server.requests, close: server.close };
}

/**
 * The client sends the key as `x-goog-api-key`; REST callers may use `?key=`.
 *
 * @param {import("./http.mjs").RecordedRequest} request
 */
function hasApiKey(request) {
  const header = request.headers["x-goog-api-key"];
  return (typeof header === "string" && header !== "") || (typeof request.query.key === "string" && request.query.key !== "");
}

/**
 * @param {import("node:http").ServerResponse} response
 * @param {number} status
 * @param {string} message
 * @param {unknown[]} [details]
 */
function sendGeminiError(response, status, message, details) {
  sendJson(response, status, { error: { code: status, message, status: STATUS_NAMES[status] ?? "UNKNOWN", ...(details === undefined ? {} : { details }) } });
  return true;
}

/**
 * @param {import("node:http").ServerResponse} response
 * @param {number} status
 * @param {string} model
 */
function sendFailure(response, status, model) {
  if (status === 429) {
    return sendGeminiError(response, 429, `${FAILURE_MESSAGES[429]} * Quota exceeded for metric: generativelanguage.googleapis.com/generate_content_free_tier_requests, limit: 0, model: ${model}`, [
      {
        "@type": "type.googleapis.com/google.rpc.QuotaFailure",
        violations: [{ quotaMetric: "generativelanguage.googleapis.com/generate_content_free_tier_requests", quotaId: "GenerateRequestsPerMinutePerProjectPerModel-FreeTier" }],
      },
      { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "1s" },
    ]);
  }
  return sendGeminiError(response, status, FAILURE_MESSAGES[status] ?? "Request failed.");
}

/**
 * @param {string} model
 * @param {any} body
 * @param {import("node:http").ServerResponse} response
 * @param {"json" | "sse" | "array"} mode
 * @param {() => number} next
 */
function generateContent(model, body, response, mode, next) {
  const contents = body?.contents;
  if (!Array.isArray(contents) || contents.length === 0) return sendGeminiError(response, 400, "* GenerateContentRequest.contents: contents is not specified");
  for (const [index, content] of contents.entries()) {
    if (!Array.isArray(content?.parts) || content.parts.length === 0) return sendGeminiError(response, 400, `* GenerateContentRequest.contents[${index}].parts: contents.parts must not be empty.`);
  }
  const config = body.generationConfig ?? {};
  const responseId = `standin-${next()}`;
  const promptTokens = promptTokensOf(body);
  const functionCall = chooseFunctionCall(body);
  const answer = functionCall === undefined ? truncateTokens(answerFor(contents), config.maxOutputTokens) : undefined;
  const candidatesTokens = functionCall !== undefined ? countTokens(functionCall.name + JSON.stringify(functionCall.args)) : countTokens(answer?.text ?? "");
  const thinking = config.thinkingConfig !== undefined && config.thinkingConfig !== null && config.thinkingConfig.thinkingBudget !== 0;
  const thoughtsTokens = thinking ? THOUGHTS_TOKENS : 0;
  const cachedTokens = typeof body.cachedContent === "string" && body.cachedContent !== "" ? Math.floor(promptTokens / 2) : 0;
  const finishReason = answer?.truncated ? "MAX_TOKENS" : "STOP";
  const promptDetails = promptDetailsOf(contents, body);
  const usage = {
    promptTokenCount: promptTokens,
    candidatesTokenCount: candidatesTokens,
    totalTokenCount: promptTokens + candidatesTokens + thoughtsTokens,
    ...(cachedTokens > 0 ? { cachedContentTokenCount: cachedTokens, cacheTokensDetails: [{ modality: "TEXT", tokenCount: cachedTokens }] } : {}),
    promptTokensDetails: promptDetails,
    ...(thoughtsTokens > 0 ? { thoughtsTokenCount: thoughtsTokens } : {}),
  };
  const thoughtPart = thinking && config.thinkingConfig.includeThoughts === true ? [{ text: "The stand-in thinks before it answers.", thought: true }] : [];
  const base = { modelVersion: model, responseId };

  if (mode === "json") {
    const parts = [...thoughtPart, functionCall !== undefined ? { functionCall } : { text: answer?.text ?? "" }];
    sendJson(response, 200, { candidates: [{ content: { parts, role: "model" }, finishReason, index: 0 }], usageMetadata: usage, ...base });
    return true;
  }

  // Chunks before the last carry the running usage (the prompt so far), as the real API sends them.
  const runningUsage = { promptTokenCount: promptTokens, totalTokenCount: promptTokens, promptTokensDetails: promptDetails };
  const chunk = (parts, last) => ({
    candidates: [{ content: { parts, role: "model" }, ...(last ? { finishReason } : {}), index: 0 }],
    usageMetadata: last ? usage : runningUsage,
    ...base,
  });
  const chunks = thoughtPart.length > 0 ? [chunk(thoughtPart, false)] : [];
  if (functionCall !== undefined) chunks.push(chunk([{ functionCall }], true));
  else {
    const pieces = streamPieces(answer?.text ?? "");
    // A few words per chunk, as Gemini streams; the last chunk holds text too.
    for (let index = 0; index < pieces.length; index += 3) chunks.push(chunk([{ text: pieces.slice(index, index + 3).join("") }], index + 3 >= pieces.length));
    if (pieces.length === 0) chunks.push(chunk([{ text: "" }], true));
  }
  const failingStream = FAILING_STREAM_MODEL.exec(model);
  if (mode === "array") {
    sendJson(response, 200, chunks);
    return true;
  }
  response.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", "x-content-type-options": "nosniff" });
  if (failingStream !== null) {
    const status = Number(failingStream[1]);
    response.write(`data: ${JSON.stringify(chunks[0])}\r\n\r\n`);
    response.end(`data: ${JSON.stringify({ error: { code: status, message: FAILURE_MESSAGES[status] ?? "Request failed.", status: STATUS_NAMES[status] ?? "UNKNOWN" } })}\r\n\r\n`);
    return true;
  }
  for (const item of chunks) response.write(`data: ${JSON.stringify(item)}\r\n\r\n`);
  response.end();
  return true;
}

/**
 * The function call to answer with, or `undefined` for text: only with function declarations, a last turn from the
 * user that is not a function response, and a calling mode other than `NONE`.
 *
 * @param {any} body
 * @returns {{ name: string, args: Record<string, unknown> } | undefined}
 */
function chooseFunctionCall(body) {
  const declarations = [];
  for (const tool of Array.isArray(body.tools) ? body.tools : []) {
    for (const declaration of Array.isArray(tool?.functionDeclarations) ? tool.functionDeclarations : []) if (typeof declaration?.name === "string") declarations.push(declaration);
  }
  const last = body.contents[body.contents.length - 1];
  const callingConfig = body.toolConfig?.functionCallingConfig ?? {};
  if (declarations.length === 0 || (last?.role !== undefined && last.role !== "user") || hasFunctionResponse(last) || callingConfig.mode === "NONE") return undefined;
  const wanted = Array.isArray(callingConfig.allowedFunctionNames) ? callingConfig.allowedFunctionNames[0] : undefined;
  const declaration = declarations.find((candidate) => candidate.name === wanted) ?? declarations[0];
  const schema = lowerCaseTypes(declaration.parametersJsonSchema ?? declaration.parameters);
  return { name: declaration.name, args: sampleArguments(schema, textOf(last)) };
}

/**
 * Gemini's OpenAPI schemas spell types in capitals (`OBJECT`, `STRING`); JSON schema in lower case.
 *
 * @param {any} schema
 * @returns {any}
 */
function lowerCaseTypes(schema) {
  if (Array.isArray(schema)) return schema.map(lowerCaseTypes);
  if (schema === null || typeof schema !== "object") return schema;
  /** @type {Record<string, unknown>} */
  const result = {};
  for (const [key, value] of Object.entries(schema)) result[key] = key === "type" && typeof value === "string" ? value.toLowerCase() : lowerCaseTypes(value);
  return result;
}

/**
 * The deterministic answer: to a function response, what the function returned; otherwise a reply naming the user's
 * words.
 *
 * @param {any[]} contents
 * @returns {string}
 */
function answerFor(contents) {
  const last = contents[contents.length - 1];
  const functionResponse = hasFunctionResponse(last) ? last.parts.find((part) => part?.functionResponse !== undefined)?.functionResponse : undefined;
  if (functionResponse !== undefined) return `The tool returned ${JSON.stringify(functionResponse.response ?? {})}. That is the answer.`;
  const user = [...contents].reverse().find((content) => content?.role === undefined || content.role === "user");
  const words = textOf(user).replace(/\s+/g, " ").trim();
  const quoted = words.length > 80 ? `${words.slice(0, 77)}...` : words;
  return quoted === "" ? "This is the stand-in answering." : `This is the stand-in answering "${quoted}".`;
}

/**
 * Prompt tokens: the system instruction, every turn's text (function calls and responses as JSON) plus 2 per turn,
 * a fixed count per image or file, and the function declarations.
 *
 * @param {any} body
 * @returns {number}
 */
function promptTokensOf(body) {
  let tokens = countTokens(textOf(body.systemInstruction));
  for (const content of body.contents) tokens += 2 + countTokens(textOf(content)) + MEDIA_TOKENS * mediaPartsOf(content);
  if (Array.isArray(body.tools)) tokens += countTokens(JSON.stringify(body.tools));
  return tokens;
}

/**
 * `promptTokensDetails`: text and image tokens by modality, as the real API splits them.
 *
 * @param {any[]} contents
 * @param {any} body
 */
function promptDetailsOf(contents, body) {
  const media = contents.reduce((sum, content) => sum + mediaPartsOf(content), 0);
  const total = promptTokensOf(body);
  return media > 0
    ? [
        { modality: "TEXT", tokenCount: total - MEDIA_TOKENS * media },
        { modality: "IMAGE", tokenCount: MEDIA_TOKENS * media },
      ]
    : [{ modality: "TEXT", tokenCount: total }];
}

/**
 * @param {any} content
 * @returns {number}
 */
function mediaPartsOf(content) {
  return Array.isArray(content?.parts) ? content.parts.filter((part) => part?.inlineData !== undefined || part?.fileData !== undefined).length : 0;
}

/**
 * @param {any} content
 * @returns {boolean}
 */
function hasFunctionResponse(content) {
  return Array.isArray(content?.parts) && content.parts.some((part) => part?.functionResponse !== undefined);
}

/**
 * The text of a content: its text parts, function calls and responses as JSON.
 *
 * @param {any} content
 * @returns {string}
 */
function textOf(content) {
  if (typeof content === "string") return content;
  if (!Array.isArray(content?.parts)) return "";
  return content.parts
    .map((part) =>
      typeof part?.text === "string"
        ? part.text
        : part?.functionCall !== undefined
          ? JSON.stringify(part.functionCall)
          : part?.functionResponse !== undefined
            ? JSON.stringify(part.functionResponse)
            : "",
    )
    .join(" ");
}

/**
 * @param {string} model
 * @param {any} body
 * @param {import("node:http").ServerResponse} response
 */
function embedOne(model, body, response) {
  const text = embeddingTextOf(body);
  if (text === undefined) return sendGeminiError(response, 400, "* EmbedContentRequest.content: content is not specified");
  sendJson(response, 200, { embedding: { values: Array.from(embed(text, dimensionsOf(body))) } });
  return true;
}

/**
 * @param {string} model
 * @param {any} body
 * @param {import("node:http").ServerResponse} response
 */
function embedBatch(model, body, response) {
  const requests = body?.requests;
  if (!Array.isArray(requests) || requests.length === 0) return sendGeminiError(response, 400, "* BatchEmbedContentsRequest.requests: requests is not specified");
  const embeddings = [];
  for (const [index, request] of requests.entries()) {
    const text = embeddingTextOf(request);
    if (text === undefined) return sendGeminiError(response, 400, `* BatchEmbedContentsRequest.requests[${index}].content: content is not specified`);
    if (typeof request.model === "string" && request.model.replace(/^models\//, "") !== model) {
      return sendGeminiError(response, 400, `* BatchEmbedContentsRequest.requests[${index}].model: model must be the same as the batch request's model, models/${model}`);
    }
    embeddings.push({ values: Array.from(embed(text, dimensionsOf(request))) });
  }
  sendJson(response, 200, { embeddings });
  return true;
}

/**
 * @param {any} request
 * @returns {string | undefined}
 */
function embeddingTextOf(request) {
  const content = request?.content;
  if (!Array.isArray(content?.parts) || content.parts.length === 0) return undefined;
  return textOf(content);
}

/**
 * @param {any} request
 * @returns {number}
 */
function dimensionsOf(request) {
  const wanted = request?.outputDimensionality;
  return Number.isInteger(wanted) && wanted > 0 ? Math.min(wanted, 3072) : DEFAULT_DIMENSIONS;
}

/**
 * @param {any} body
 * @param {import("node:http").ServerResponse} response
 */
function countTokensOf(body, response) {
  // The client sends `contents`, or a whole `generateContentRequest` for a count that includes tools and the system.
  const request = body?.generateContentRequest ?? body;
  if (!Array.isArray(request?.contents) || request.contents.length === 0) return sendGeminiError(response, 400, "* CountTokensRequest.contents: contents is not specified");
  sendJson(response, 200, { totalTokens: promptTokensOf(request), promptTokensDetails: promptDetailsOf(request.contents, request) });
  return true;
}
