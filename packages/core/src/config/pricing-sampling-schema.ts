import type * as Valibot from "valibot";
import type * as ValibotFunctions from "./valibot";
import type { ModelPrice, PricingConfig, SamplingConfig } from "../contract/pricing";

/** The words an environment variable may use for on and off (`LLMOPS_PRICING_ENABLED=false`). */
const TRUE_WORDS = /^(true|1|yes|on)$/i;
const FALSE_WORDS = /^(false|0|no|off)$/i;

/** The schema of `pricing:`: `enabled`, `builtin` and `models` (model name or pattern → price per million tokens). */
export function pricingSchema(v: typeof ValibotFunctions): Valibot.GenericSchema {
  const price = v.pipe(v.number(), v.finite(), v.minValue(0, "must be a price of 0 or more"));
  // An unknown key (`input_price`) is an issue of its own, naming the keys a price has.
  const model = v.objectWithRest(
    {
      input: price,
      output: price,
      cached_input: v.optional(price),
      cache_write: v.optional(price),
      currency: v.optional(v.pipe(v.string(), v.regex(/^[A-Z]{3}$/, "must be an ISO 4217 code such as USD or EUR"))),
    },
    v.never("is not a key of a price (input, output, cached_input, cache_write, currency)"),
  );
  // A variable gives text: "false", "0", "off" turn cost off.
  const onOff = v.union(
    [
      v.boolean(),
      v.pipe(
        v.string(),
        v.check((text) => TRUE_WORDS.test(text.trim()) || FALSE_WORDS.test(text.trim()), "must be true or false"),
        v.transform((text) => TRUE_WORDS.test(text.trim())),
      ),
    ],
    "must be true or false",
  );
  return v.optional(
    v.nullable(
      v.object({
        enabled: v.optional(onOff),
        builtin: v.optional(v.boolean()),
        models: v.optional(v.nullable(v.record(v.pipe(v.string(), v.nonEmpty("a model name must not be empty")), model))),
      }),
    ),
    {},
  );
}

/** The schema of `sampling:`: a ratio and the rules that keep a trace whatever the ratio says. */
export function samplingSchema(v: typeof ValibotFunctions): Valibot.GenericSchema {
  // LLMOPS_SAMPLING_RATIO gives text.
  const ratio = v.pipe(
    v.union([v.number(), v.pipe(v.string(), v.trim(), v.nonEmpty("must be a number from 0 to 1"), v.transform(Number))]),
    v.number("must be a number from 0 to 1"),
    v.minValue(0, "must be a number from 0 to 1"),
    v.maxValue(1, "must be a number from 0 to 1"),
  );
  return v.optional(
    v.nullable(
      v.object({
        ratio: v.optional(ratio),
        keep_errors: v.optional(v.boolean()),
        keep_slower_than_ms: v.optional(v.pipe(v.number(), v.finite(), v.minValue(0))),
        max_buffered_spans: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1))),
      }),
    ),
    {},
  );
}

/** The validated `pricing:` output, defaults applied. */
export function toPricingConfig(section: { enabled?: boolean; builtin?: boolean; models?: Record<string, ModelPrice> | null } | null): PricingConfig {
  return { enabled: section?.enabled ?? true, builtin: section?.builtin ?? true, models: section?.models ?? {} };
}

/** The validated `sampling:` output, camelCased; unset keys stay unset. */
export function toSamplingConfig(section: { ratio?: number; keep_errors?: boolean; keep_slower_than_ms?: number; max_buffered_spans?: number } | null): SamplingConfig {
  return {
    ...(section?.ratio === undefined ? {} : { ratio: section.ratio }),
    ...(section?.keep_errors === undefined ? {} : { keepErrors: section.keep_errors }),
    ...(section?.keep_slower_than_ms === undefined ? {} : { keepSlowerThanMs: section.keep_slower_than_ms }),
    ...(section?.max_buffered_spans === undefined ? {} : { maxBufferedSpans: section.max_buffered_spans }),
  };
}
