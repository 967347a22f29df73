/**
 * A cost as people read it: `$0.0035` for US dollars, `0.0035 EUR` for another currency; three significant digits
 * below 1, cents from 1 up. Used by the local platform's trace tree and `llmops traces`.
 *
 * @param value - the cost, e.g. a span's `llm.cost.total`
 * @param currency - ISO 4217 code; US dollars when not given
 * @returns the text
 *
 * @example
 * ```ts
 * import { formatCost } from "@llmops/core";
 * formatCost(0.003542); // "$0.00354"
 * formatCost(1.5, "EUR"); // "1.50 EUR"
 * ```
 */
export function formatCost(value: number, currency?: string): string {
  const digits =
    value >= 1 || value === 0
      ? value.toFixed(2)
      : value
          .toPrecision(3)
          .replace(/(\.\d*?)0+$/, "$1")
          .replace(/\.$/, "");
  return currency === undefined || currency === "USD" ? `$${digits}` : `${digits} ${currency}`;
}
