import type { DiagLogger } from "@opentelemetry/api";
import type { SpanProcessor } from "../contract/sdk-types";
import type { Sampler } from "@opentelemetry/sdk-trace-base";
import type { PricingConfig, SamplingConfig } from "../contract/pricing";
import { CostSpanProcessor } from "./cost-processor";
import type { PolicyCounters } from "./policy-counters";
import { PriceList } from "./pricing";
import type { SamplerClasses } from "./sampling";
import { chooseRatio, CountingSampler, hasKeepRules, KeepRulesProcessor } from "./sampling";

/** The `pricing:` and `sampling:` sections the provider is assembled with, and the environment they were read with. */
export interface SpanPolicySettings {
  /** Absent: the defaults (cost on, built-in table). */
  readonly pricing?: PricingConfig;
  /** Absent: `OTEL_TRACES_SAMPLER` or keep everything. */
  readonly sampling?: SamplingConfig;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** What the provider assembly installs for cost and sampling. */
export interface SpanPolicies {
  /**
   * The provider's processors with the policies in place: the head (the context attributes processor, then the
   * converters of libraries' own spans) stays first, the cost processor (unless `pricing.enabled` is false) comes
   * next, and the keep rules, when there are any, take the others (privacy, the platform's processors and the export
   * processors) behind them.
   */
  readonly arrange: (head: readonly SpanProcessor[], others: readonly SpanProcessor[]) => SpanProcessor[];
  /** The provider's sampler. */
  readonly sampler: Sampler;
}

/** Builds the cost processor, the sampler and the keep rules from the settings. */
export function spanPolicies(settings: SpanPolicySettings, counters: PolicyCounters, logger: DiagLogger, classes: SamplerClasses): SpanPolicies {
  const pricing = settings.pricing ?? { enabled: true, builtin: true, models: {} };
  const costProcessors = pricing.enabled ? [new CostSpanProcessor(new PriceList(pricing), { counters, logger })] : [];
  const choice = chooseRatio(settings.sampling, settings.env ?? process.env, logger);
  const rules = hasKeepRules(settings.sampling);
  const sampling = settings.sampling ?? {};
  const keepRules = rules && choice.ratio < 1;
  return {
    arrange: (head, others) => [...head, ...costProcessors, ...(keepRules ? [new KeepRulesProcessor(others, sampling, counters)] : others)],
    sampler: new CountingSampler(classes, choice, counters, keepRules),
  };
}
