// Finding a model's price and turning token counts into cost. Pure functions and a lookup cache; no OpenTelemetry.
import type { ModelPrice, PricingConfig } from "../contract/pricing";
import { BUILTIN_PRICES } from "./price-table";

/**
 * What follows a family name in a dated or versioned snapshot: `-2024-08-06`, `-20240620`, `-0613`, `-002`, `@20240620`
 * (Vertex), `-v1:0` (Bedrock), `-latest`, `-preview`, `-preview-05-20`, `-exp`, `-exp-0827`, one or several of them.
 */
const SNAPSHOT_SUFFIX = /^(?:[-@](?:\d{4}-\d{2}-\d{2}|\d{8}|\d{4}|\d{3}|v\d+(?::\d+)?|latest|preview(?:-\d{2}-\d{2})?|exp(?:-\d{4})?))+$/;

/** Bedrock's cross-region inference profiles put a region before the model id: `us.anthropic.claude-…`. */
const REGION_PREFIX = /^(?:us|eu|apac|ap|us-gov|global|jp|au|ca)\.(?=[a-z0-9-]+\.)/;

/** Lookups remembered at most (model names come from the app; a bound keeps a stream of odd names from growing it). */
const MAX_REMEMBERED = 1_000;

/** A price found for a model: the entry and the table key it came from. */
export interface FoundPrice {
  /** The key of the table that matched, e.g. `gpt-4o` for `gpt-4o-2024-08-06`. */
  readonly key: string;
  readonly price: ModelPrice;
}

/** The cost of one LLM call, in the price's currency. */
export interface Cost {
  readonly prompt: number;
  readonly completion: number;
  readonly total: number;
  /** Part of `prompt` for tokens read from the prompt cache (present when the span counted such tokens). */
  readonly cacheRead?: number;
  /** Part of `prompt` for tokens written to the prompt cache. */
  readonly cacheWrite?: number;
  readonly currency: string;
}

/** Token counts as OpenInference records them: `prompt` includes cache reads and writes. */
export interface TokenCounts {
  readonly prompt?: number;
  readonly completion?: number;
  readonly cacheRead?: number;
  readonly cacheWrite?: number;
}

/** Lower case, no `models/` (Gemini) and no Bedrock region prefix. */
export function normalizeModelName(name: string): string {
  let normalized = name.trim().toLowerCase();
  if (normalized.startsWith("models/")) normalized = normalized.slice("models/".length);
  return normalized.replace(REGION_PREFIX, "");
}

interface Pattern {
  readonly key: string;
  readonly regex: RegExp;
  /** Characters that are not `*`: the more, the more specific. */
  readonly literal: number;
  readonly price: ModelPrice;
}

/**
 * The prices in force: the built-in table (unless `pricing.builtin` is false) with `pricing.models` over it, and the
 * matching rule, in this order:
 * 1. the exact name (case-insensitive; `models/` and a Bedrock region prefix such as `us.` ignored);
 * 2. the longest name of which the model is a dated or versioned snapshot (`gpt-4o` for `gpt-4o-2024-08-06`,
 *    `anthropic.claude-3-5-sonnet` for `anthropic.claude-3-5-sonnet-20240620-v1:0`; never `gpt-4o` for `gpt-4o-mini`);
 * 3. the `*` pattern with the most characters besides `*` (`ft:gpt-4o-mini:*`), the config's before the built-in ones on a tie.
 * No match: no price. A price is never guessed from a similar name.
 *
 * @example
 * ```ts
 * const prices = new PriceList({ enabled: true, builtin: true, models: {} });
 * prices.find("gpt-4o-2024-08-06")?.key; // "gpt-4o"
 * ```
 */
export class PriceList {
  private readonly exact = new Map<string, FoundPrice>();
  private readonly patterns: Pattern[] = [];
  private readonly remembered = new Map<string, FoundPrice | null>();

  constructor(config: Pick<PricingConfig, "builtin" | "models">) {
    // The config's entries first: on an equal pattern the first added wins, and an equal name is replaced.
    const entries = [...Object.entries(config.models), ...(config.builtin ? Object.entries(BUILTIN_PRICES) : [])];
    for (const [key, price] of entries) {
      const normalized = normalizeModelName(key);
      if (normalized.includes("*")) {
        if (this.patterns.some((pattern) => pattern.key === normalized)) continue;
        const source = normalized
          .split("*")
          .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
          .join(".*");
        this.patterns.push({ key, regex: new RegExp(`^${source}$`), literal: normalized.replace(/\*/g, "").length, price });
      } else if (!this.exact.has(normalized)) {
        this.exact.set(normalized, { key, price });
      }
    }
    this.patterns.sort((a, b) => b.literal - a.literal);
  }

  /** The price of `model` by the rule above, or undefined. */
  find(model: string): FoundPrice | undefined {
    const known = this.remembered.get(model);
    if (known !== undefined) return known ?? undefined;
    const found = this.lookUp(normalizeModelName(model));
    if (this.remembered.size >= MAX_REMEMBERED) this.remembered.clear();
    this.remembered.set(model, found ?? null);
    return found;
  }

  private lookUp(name: string): FoundPrice | undefined {
    const exact = this.exact.get(name);
    if (exact !== undefined) return exact;
    // The longest family first: `gpt-4o-mini-2024-07-18` is a snapshot of `gpt-4o-mini`, not of `gpt-4o`.
    for (let end = name.length - 1; end > 0; end--) {
      const separator = name[end];
      if (separator !== "-" && separator !== "@") continue;
      const family = this.exact.get(name.slice(0, end));
      if (family !== undefined && SNAPSHOT_SUFFIX.test(name.slice(end))) return family;
    }
    for (const pattern of this.patterns) if (pattern.regex.test(name)) return { key: pattern.key, price: pattern.price };
    return undefined;
  }
}

/**
 * The cost of one call: uncached prompt tokens at `input`, cache reads at `cached_input`, cache writes at
 * `cache_write` (each of those two at `input` when the price has none), completion tokens at `output`; prices are per
 * million tokens. Undefined when the span counted no tokens at all.
 *
 * @example
 * ```ts
 * computeCost({ input: 2.5, output: 10, cached_input: 1.25 }, { prompt: 1000, completion: 100, cacheRead: 400 });
 * // prompt 600 × 2.5 + 400 × 1.25 = 0.002, completion 0.001, total 0.003 (USD)
 * ```
 */
export function computeCost(price: ModelPrice, tokens: TokenCounts): Cost | undefined {
  if (tokens.prompt === undefined && tokens.completion === undefined) return undefined;
  const cacheRead = tokens.cacheRead ?? 0;
  const cacheWrite = tokens.cacheWrite ?? 0;
  const uncached = Math.max(0, (tokens.prompt ?? 0) - cacheRead - cacheWrite);
  const readCost = (cacheRead * (price.cached_input ?? price.input)) / 1e6;
  const writeCost = (cacheWrite * (price.cache_write ?? price.input)) / 1e6;
  const prompt = (uncached * price.input) / 1e6 + readCost + writeCost;
  const completion = ((tokens.completion ?? 0) * price.output) / 1e6;
  return {
    prompt,
    completion,
    total: prompt + completion,
    ...(tokens.cacheRead === undefined ? {} : { cacheRead: readCost }),
    ...(tokens.cacheWrite === undefined ? {} : { cacheWrite: writeCost }),
    currency: price.currency ?? "USD",
  };
}
