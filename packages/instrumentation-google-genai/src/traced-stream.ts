// A stream of `generateContentStream` chunks that records them as the app consumes them and ends the span when the
// stream ends: with the text and function calls seen, and the token counts of the last chunk that had them (the API
// sends the final counts with the last chunk).
import { diag, SpanStatusCode } from "@opentelemetry/api";
import type { Span } from "@opentelemetry/api";
import { llmResponseAttributes } from "./attributes";
import type { GenAIPart, GenAIResponse, GenAIUsage } from "./genai-types";

/** Records the error on the span and ends it. */
export function endWithError(span: Span, error: unknown): void {
  if (error instanceof Error) {
    span.recordException(error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  } else {
    span.setStatus({ code: SpanStatusCode.ERROR, message: String(error) });
  }
  span.end();
}

/**
 * Wraps the client's async generator. `next`, `return` and `throw` pass through to it; one `then` per chunk records
 * it. The span ends once: at the last chunk, on an error, or when the app stops early (`break` calls `return`).
 */
export class TracedStream implements AsyncIterableIterator<GenAIResponse, unknown, unknown> {
  readonly #inner: AsyncGenerator<GenAIResponse, unknown, unknown>;
  readonly #span: Span;
  #ended = false;
  #text: string | undefined;
  #calls: GenAIPart[] | undefined;
  #role: string | undefined;
  #usage: GenAIUsage | undefined;
  #modelVersion: string | undefined;
  // Bound once per stream, so that each chunk costs no new function.
  readonly #onResult = (result: IteratorResult<GenAIResponse, unknown>): IteratorResult<GenAIResponse, unknown> => {
    // Recording never gets in the way of the app's stream: a chunk it cannot read is left out of the span.
    try {
      if (result.done === true) this.#finish();
      else this.#record(result.value);
    } catch (error) {
      diag.debug(`@google/genai: a stream chunk was not recorded: ${String(error)}`);
    }
    return result;
  };
  readonly #onError = (error: unknown): never => {
    if (!this.#ended) {
      this.#ended = true;
      endWithError(this.#span, error);
    }
    throw error;
  };

  constructor(inner: AsyncGenerator<GenAIResponse, unknown, unknown>, span: Span) {
    this.#inner = inner;
    this.#span = span;
  }

  next(...args: [] | [unknown]): Promise<IteratorResult<GenAIResponse, unknown>> {
    return this.#inner.next(...args).then(this.#onResult, this.#onError);
  }

  return(value?: unknown): Promise<IteratorResult<GenAIResponse, unknown>> {
    try {
      this.#finish();
    } catch (error) {
      diag.debug(`@google/genai: the end of a stream was not recorded: ${String(error)}`);
    }
    return this.#inner.return(value);
  }

  throw(error?: unknown): Promise<IteratorResult<GenAIResponse, unknown>> {
    return this.#inner.throw(error).then(this.#onResult, this.#onError);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  #record(chunk: GenAIResponse): void {
    if (chunk === null || typeof chunk !== "object") return;
    if (chunk.usageMetadata !== undefined) this.#usage = chunk.usageMetadata;
    if (chunk.modelVersion !== undefined) this.#modelVersion = chunk.modelVersion;
    const content = chunk.candidates?.[0]?.content;
    if (content === undefined) return;
    if (content.role !== undefined) this.#role = content.role;
    for (const part of content.parts ?? []) {
      if (typeof part.text === "string" && part.thought !== true) this.#text = this.#text === undefined ? part.text : this.#text + part.text;
      else if (part.functionCall !== undefined) (this.#calls ??= []).push(part);
    }
  }

  #finish(): void {
    if (this.#ended) return;
    this.#ended = true;
    try {
      this.#span.setAttributes(llmResponseAttributes(this.#response()));
      this.#span.setStatus({ code: SpanStatusCode.OK });
    } finally {
      this.#span.end();
    }
  }

  /** What was read, in the shape of one response: the text and function calls of all chunks, the last usage. */
  #response(): GenAIResponse {
    const parts: GenAIPart[] = this.#text === undefined ? [] : [{ text: this.#text }];
    if (this.#calls !== undefined) parts.push(...this.#calls);
    const seen = parts.length > 0 ? [{ content: { role: this.#role ?? "model", parts } }] : undefined;
    return {
      ...(seen === undefined ? {} : { candidates: seen }),
      ...(this.#usage === undefined ? {} : { usageMetadata: this.#usage }),
      ...(this.#modelVersion === undefined ? {} : { modelVersion: this.#modelVersion }),
    };
  }
}

// `await using stream = ...` disposes of the client's generator where the runtime knows Symbol.asyncDispose: so of this.
const asyncDispose = (Symbol as { asyncDispose?: symbol }).asyncDispose;
if (asyncDispose !== undefined) {
  Object.defineProperty(TracedStream.prototype, asyncDispose, {
    configurable: true,
    writable: true,
    value: async function dispose(this: TracedStream): Promise<void> {
      await this.return(undefined);
    },
  });
}
