// llmops's built-in price table: data only, no logic. Matching rules live in ./pricing.ts.
//
// Prices are in US dollars per million tokens, standard (on-demand, non-batch) rates, as published on:
//   OpenAI     https://openai.com/api/pricing/
//   Anthropic  https://www.anthropic.com/pricing (API), cache_write = 5-minute cache write
//   Google     https://ai.google.dev/gemini-api/docs/pricing (Gemini API, the lower prompt-length tier)
//   Bedrock    https://aws.amazon.com/bedrock/pricing/ (on-demand, US East)
// Collected on PRICE_TABLE_DATE below. Providers change prices: a `pricing.models` entry in the config overrides any
// entry here, and a table that is wrong must be fixed here, in one place, with the new date.
import type { ModelPrice } from "../contract/pricing";

/** The day the figures below were collected from the pages above. */
export const PRICE_TABLE_DATE = "2025-08-15";

/**
 * Model family → price. A key matches its own name and its dated or versioned snapshots (`gpt-4o` matches
 * `gpt-4o-2024-08-06`, `anthropic.claude-3-5-sonnet` matches `anthropic.claude-3-5-sonnet-20240620-v1:0`); a snapshot
 * priced differently from its family has an entry of its own, which wins because exact names come first.
 */
export const BUILTIN_PRICES: Readonly<Record<string, ModelPrice>> = {
  // OpenAI
  "gpt-5": { input: 1.25, output: 10, cached_input: 0.125 },
  "gpt-5-mini": { input: 0.25, output: 2, cached_input: 0.025 },
  "gpt-5-nano": { input: 0.05, output: 0.4, cached_input: 0.005 },
  "gpt-4.1": { input: 2, output: 8, cached_input: 0.5 },
  "gpt-4.1-mini": { input: 0.4, output: 1.6, cached_input: 0.1 },
  "gpt-4.1-nano": { input: 0.1, output: 0.4, cached_input: 0.025 },
  "gpt-4o": { input: 2.5, output: 10, cached_input: 1.25 },
  "gpt-4o-2024-05-13": { input: 5, output: 15 },
  "gpt-4o-mini": { input: 0.15, output: 0.6, cached_input: 0.075 },
  "gpt-4-turbo": { input: 10, output: 30 },
  "gpt-4-0125-preview": { input: 10, output: 30 },
  "gpt-4-1106-preview": { input: 10, output: 30 },
  "gpt-4": { input: 30, output: 60 },
  "gpt-3.5-turbo": { input: 0.5, output: 1.5 },
  o1: { input: 15, output: 60, cached_input: 7.5 },
  "o1-mini": { input: 1.1, output: 4.4, cached_input: 0.55 },
  o3: { input: 2, output: 8, cached_input: 0.5 },
  "o3-mini": { input: 1.1, output: 4.4, cached_input: 0.55 },
  "o4-mini": { input: 1.1, output: 4.4, cached_input: 0.275 },
  "text-embedding-3-small": { input: 0.02, output: 0 },
  "text-embedding-3-large": { input: 0.13, output: 0 },
  "text-embedding-ada-002": { input: 0.1, output: 0 },

  // Anthropic
  "claude-opus-4-1": { input: 15, output: 75, cached_input: 1.5, cache_write: 18.75 },
  "claude-opus-4": { input: 15, output: 75, cached_input: 1.5, cache_write: 18.75 },
  "claude-sonnet-4": { input: 3, output: 15, cached_input: 0.3, cache_write: 3.75 },
  "claude-3-7-sonnet": { input: 3, output: 15, cached_input: 0.3, cache_write: 3.75 },
  "claude-3-5-sonnet": { input: 3, output: 15, cached_input: 0.3, cache_write: 3.75 },
  "claude-3-5-haiku": { input: 0.8, output: 4, cached_input: 0.08, cache_write: 1 },
  "claude-3-opus": { input: 15, output: 75, cached_input: 1.5, cache_write: 18.75 },
  "claude-3-haiku": { input: 0.25, output: 1.25, cached_input: 0.03, cache_write: 0.3 },

  // Google (Gemini API)
  "gemini-2.5-pro": { input: 1.25, output: 10, cached_input: 0.31 },
  "gemini-2.5-flash": { input: 0.3, output: 2.5, cached_input: 0.075 },
  "gemini-2.5-flash-lite": { input: 0.1, output: 0.4, cached_input: 0.025 },
  "gemini-2.0-flash": { input: 0.1, output: 0.4, cached_input: 0.025 },
  "gemini-2.0-flash-lite": { input: 0.075, output: 0.3 },
  "gemini-1.5-pro": { input: 1.25, output: 5, cached_input: 0.3125 },
  "gemini-1.5-flash": { input: 0.075, output: 0.3, cached_input: 0.01875 },
  "gemini-1.5-flash-8b": { input: 0.0375, output: 0.15, cached_input: 0.01 },

  // Amazon Bedrock (model ids; a cross-region profile such as `us.anthropic.…` is matched without its region prefix)
  "anthropic.claude-opus-4-1": { input: 15, output: 75, cached_input: 1.5, cache_write: 18.75 },
  "anthropic.claude-opus-4": { input: 15, output: 75, cached_input: 1.5, cache_write: 18.75 },
  "anthropic.claude-sonnet-4": { input: 3, output: 15, cached_input: 0.3, cache_write: 3.75 },
  "anthropic.claude-3-7-sonnet": { input: 3, output: 15, cached_input: 0.3, cache_write: 3.75 },
  "anthropic.claude-3-5-sonnet": { input: 3, output: 15 },
  "anthropic.claude-3-5-haiku": { input: 0.8, output: 4, cached_input: 0.08, cache_write: 1 },
  "anthropic.claude-3-opus": { input: 15, output: 75 },
  "anthropic.claude-3-haiku": { input: 0.25, output: 1.25 },
  "amazon.nova-pro": { input: 0.8, output: 3.2, cached_input: 0.2 },
  "amazon.nova-lite": { input: 0.06, output: 0.24, cached_input: 0.015 },
  "amazon.nova-micro": { input: 0.035, output: 0.14, cached_input: 0.00875 },
};
