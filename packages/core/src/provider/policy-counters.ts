/** Distinct unpriced model names kept at most; further names are counted under {@link OTHER_MODELS}. */
const MAX_UNPRICED_NAMES = 100;

/** The name under which unpriced spans of models beyond the first hundred are counted. */
export const OTHER_MODELS = "(other models)";

/**
 * What the cost and sampling processors count for `stats()`: spans sampled out, and LLM spans whose model has no
 * price, by model name.
 */
export class PolicyCounters {
  /** Spans not exported because sampling left their trace out (head decision or keep rules). */
  sampledOut = 0;
  private readonly unpriced = new Map<string, number>();

  /** One more LLM span with token counts and no price for `model`. */
  countUnpriced(model: string): void {
    const name = this.unpriced.has(model) || this.unpriced.size < MAX_UNPRICED_NAMES ? model : OTHER_MODELS;
    this.unpriced.set(name, (this.unpriced.get(name) ?? 0) + 1);
  }

  /** Model name → LLM spans that got no cost because the model has no price. */
  unpricedModels(): Readonly<Record<string, number>> {
    return Object.fromEntries(this.unpriced);
  }
}
