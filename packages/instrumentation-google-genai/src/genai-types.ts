// The parts of @google/genai's request and response objects the instrumentation reads, typed structurally: the
// package is an optional peer, so its own types cannot be named in this package's declarations.

/** One part of a content: text, media, a function call or a function's response. */
export interface GenAIPart {
  readonly text?: string;
  readonly thought?: boolean;
  readonly inlineData?: { readonly mimeType?: string; readonly data?: string };
  readonly fileData?: { readonly mimeType?: string; readonly fileUri?: string };
  readonly functionCall?: { readonly id?: string; readonly name?: string; readonly args?: unknown };
  readonly functionResponse?: { readonly id?: string; readonly name?: string; readonly response?: unknown };
}

/** A turn of the conversation. */
export interface GenAIContent {
  readonly role?: string;
  readonly parts?: readonly GenAIPart[];
}

/** What `contents` (and `systemInstruction`, `message`) may be: the client accepts all of these shapes. */
export type GenAIContentInput = string | GenAIPart | GenAIContent | ReadonlyArray<string | GenAIPart | GenAIContent>;

/** `models.generateContent` / `generateContentStream` / `countTokens` / `embedContent` parameters. */
export interface GenAIParams {
  readonly model?: string;
  readonly contents?: GenAIContentInput;
  readonly config?: Readonly<Record<string, unknown>> & {
    readonly systemInstruction?: GenAIContentInput;
    readonly tools?: readonly unknown[];
  };
}

/** Token counts as the API reports them. */
export interface GenAIUsage {
  readonly promptTokenCount?: number;
  readonly candidatesTokenCount?: number;
  readonly totalTokenCount?: number;
  readonly cachedContentTokenCount?: number;
  readonly thoughtsTokenCount?: number;
  readonly toolUsePromptTokenCount?: number;
  readonly promptTokensDetails?: ReadonlyArray<{ readonly modality?: string; readonly tokenCount?: number }>;
}

/** A `GenerateContentResponse`, or one chunk of a stream. */
export interface GenAIResponse {
  readonly candidates?: ReadonlyArray<{ readonly content?: GenAIContent; readonly finishReason?: string }>;
  readonly usageMetadata?: GenAIUsage;
  readonly modelVersion?: string;
}

/** An `EmbedContentResponse`. */
export interface GenAIEmbedResponse {
  readonly embeddings?: ReadonlyArray<{ readonly values?: readonly number[] }>;
}

/** A `CountTokensResponse`. */
export interface GenAICountTokensResponse {
  readonly totalTokens?: number;
}
