/** One request the stand-in received, in order of arrival. */
export interface RecordedRequest {
  /** `GET`, `POST`, ... */
  readonly method: string;
  /** The path without the query string, e.g. `/v1/chat/completions`. */
  readonly path: string;
  /** The query string's parameters, e.g. `{ alt: "sse" }`. */
  readonly query: Readonly<Record<string, string>>;
  /** Request headers, lower-cased names. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The parsed JSON body; `undefined` when there was none. Typed loosely: tests read any field of it. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly body: any;
}

/** A running stand-in server. */
export interface StandIn {
  /** Base URL ending in `/v1`, e.g. `http://127.0.0.1:43121/v1`: the `baseURL` of the `openai` client. */
  readonly url: string;
  /** Every request received so far (the array grows as requests arrive). */
  readonly requests: RecordedRequest[];
  /** Stops the server and drops kept-alive connections. Safe to call twice. */
  close(): Promise<void>;
}

/** A running Anthropic stand-in. */
export interface AnthropicStandIn extends StandIn {
  /** The origin without `/v1`, e.g. `http://127.0.0.1:43121`: the `baseURL` of the `@anthropic-ai/sdk` client. */
  readonly baseURL: string;
}

/**
 * Starts a local server that answers OpenAI's `POST /v1/chat/completions` (JSON and SSE streaming, tool calls,
 * usage) and `POST /v1/embeddings` deterministically, on 127.0.0.1 and a free port.
 *
 * @example
 * ```ts
 * import OpenAI from "openai";
 * import { startOpenAIStandIn } from "@llmops-internal/stand-ins";
 *
 * const standIn = await startOpenAIStandIn();
 * const client = new OpenAI({ baseURL: standIn.url, apiKey: "test" });
 * await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] });
 * await standIn.close();
 * ```
 */
export function startOpenAIStandIn(): Promise<StandIn>;

/**
 * Starts a local server that answers Anthropic's `POST /v1/messages` (JSON and SSE streaming, tool use, usage)
 * deterministically, on 127.0.0.1 and a free port.
 *
 * @example
 * ```ts
 * import Anthropic from "@anthropic-ai/sdk";
 * import { startAnthropicStandIn } from "@llmops-internal/stand-ins";
 *
 * const standIn = await startAnthropicStandIn();
 * const client = new Anthropic({ baseURL: standIn.baseURL, apiKey: "test" });
 * await client.messages.create({ model: "claude-haiku-4-5", max_tokens: 256, messages: [{ role: "user", content: "Hi" }] });
 * await standIn.close();
 * ```
 */
export function startAnthropicStandIn(): Promise<AnthropicStandIn>;

/** A running Amazon Bedrock Runtime stand-in. */
export interface BedrockStandIn {
  /** The origin, e.g. `http://127.0.0.1:43121`: the `endpoint` of the `BedrockRuntimeClient`. */
  readonly url: string;
  /** Every request received so far (the array grows as requests arrive). */
  readonly requests: RecordedRequest[];
  /** Stops the server and drops kept-alive connections. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts a local server that answers the Bedrock Runtime's `Converse` and `InvokeModel` (Anthropic Messages body)
 * deterministically, on 127.0.0.1 and a free port. The SigV4 signature is not checked.
 *
 * @example
 * ```ts
 * import { BedrockRuntimeClient, ConverseCommand } from "@aws-sdk/client-bedrock-runtime";
 * import { startBedrockStandIn } from "@llmops-internal/stand-ins";
 *
 * const standIn = await startBedrockStandIn();
 * const client = new BedrockRuntimeClient({ endpoint: standIn.url, region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" } });
 * await client.send(new ConverseCommand({ modelId: "anthropic.claude-3-haiku-20240307-v1:0", messages: [{ role: "user", content: [{ text: "Hi" }] }] }));
 * await standIn.close();
 * ```
 */
export function startBedrockStandIn(): Promise<BedrockStandIn>;

/** A running Gemini API stand-in. */
export interface GeminiStandIn {
  /** The origin, e.g. `http://127.0.0.1:43121`: the `httpOptions.baseUrl` of the `@google/genai` client. */
  readonly url: string;
  /** Every request received so far (the array grows as requests arrive). */
  readonly requests: RecordedRequest[];
  /** Stops the server and drops kept-alive connections. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts a local server that answers the Gemini API's `models/{model}:generateContent`, `:streamGenerateContent`
 * (SSE, usage in the last chunk), `:embedContent`, `:batchEmbedContents` and `:countTokens` deterministically, with
 * function calls and Gemini-shaped errors (a model named `...-error-400|429|500|503` fails with that status), on
 * 127.0.0.1 and a free port.
 *
 * @example
 * ```ts
 * import { GoogleGenAI } from "@google/genai";
 * import { startGeminiStandIn } from "@llmops-internal/stand-ins";
 *
 * const standIn = await startGeminiStandIn();
 * const ai = new GoogleGenAI({ apiKey: "test", httpOptions: { baseUrl: standIn.url } });
 * await ai.models.generateContent({ model: "gemini-2.5-flash", contents: "Hi" });
 * await standIn.close();
 * ```
 */
export function startGeminiStandIn(): Promise<GeminiStandIn>;
