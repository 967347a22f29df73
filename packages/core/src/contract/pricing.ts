// The `pricing:` and `sampling:` sections as the provider assembly sees them, after validation and environment overrides.

/**
 * The price of one model, per million tokens, as written under `pricing.models` (snake_case keys).
 *
 * @example
 * ```ts
 * import type { ModelPrice } from "@llmops/core";
 *
 * const gpt4o: ModelPrice = { input: 2.5, output: 10, cached_input: 1.25 };
 * ```
 */
export interface ModelPrice {
  /** Price per million prompt tokens that were not read from or written to a prompt cache. */
  readonly input: number;
  /** Price per million completion tokens. */
  readonly output: number;
  /** Price per million prompt tokens read from the provider's prompt cache; the `input` price when not given. */
  readonly cached_input?: number;
  /** Price per million prompt tokens written to the provider's prompt cache (Anthropic); the `input` price when not given. */
  readonly cache_write?: number;
  /** ISO 4217 code of the prices; `USD` when not given (OpenInference's `llm.cost.*` are in USD). */
  readonly currency?: string;
}

/**
 * The `pricing:` section after validation: whether cost is computed, and the prices that override or extend the
 * built-in table.
 *
 * @example
 * ```ts
 * import type { PricingConfig } from "@llmops/core";
 *
 * const pricing: PricingConfig = { enabled: true, builtin: true, models: { "my-finetune-*": { input: 3, output: 12 } } };
 * ```
 */
export interface PricingConfig {
  /** `pricing.enabled`: compute `llm.cost.*` (default true; `LLMOPS_PRICING_ENABLED=false` turns it off). */
  readonly enabled: boolean;
  /** `pricing.builtin`: start from llmops's built-in table (default true). */
  readonly builtin: boolean;
  /** `pricing.models`: model name, snapshot family or `*` pattern → price; overrides the built-in entry of the same name. */
  readonly models: Readonly<Record<string, ModelPrice>>;
}

/**
 * The `sampling:` section after validation; an unset key leaves the choice to `OTEL_TRACES_SAMPLER` (ratio) or the
 * default (keep everything).
 *
 * @example
 * ```ts
 * import type { SamplingConfig } from "@llmops/core";
 *
 * const sampling: SamplingConfig = { ratio: 0.1, keepErrors: true, keepSlowerThanMs: 5000 };
 * ```
 */
export interface SamplingConfig {
  /** `sampling.ratio`: the share of traces kept, 0 to 1, decided by trace id and followed by child spans. */
  readonly ratio?: number;
  /** `sampling.keep_errors`: also keep every trace with a span whose status is ERROR. */
  readonly keepErrors?: boolean;
  /** `sampling.keep_slower_than_ms`: also keep every trace whose local root span lasted at least this long. */
  readonly keepSlowerThanMs?: number;
  /** `sampling.max_buffered_spans`: spans held at most while their trace waits for the keep rules (default 10,000). */
  readonly maxBufferedSpans?: number;
}
