// The detectors of the `privacy:` section, as validated: what the privacy span processor is built from.

/**
 * What a detector does with what it finds: `mask` keeps a hint of the shape (`j***@e***.com`), `hash` puts a salted
 * token in its place (`[EMAIL:3f2a9c0b1d4e]`, the same for the same value wherever the salt is the same), `redact`
 * puts `[REDACTED:EMAIL]`, `off` leaves it.
 */
export type PrivacyAction = "mask" | "hash" | "redact" | "off";

/** A detector of the configuration's `privacy.custom_detectors`. */
export interface CustomDetectorConfig {
  /** `name`: letters, digits and `_`; upper-cased in replacements (`[REDACTED:EMPLOYEE_ID]`). */
  readonly name: string;
  /** `pattern`: a JavaScript regular expression, checked to run in bounded time. */
  readonly pattern: string;
  /** `action` */
  readonly action: PrivacyAction;
  /** `ignore_case` */
  readonly ignoreCase: boolean;
}

/**
 * The detectors of the `privacy:` section after validation; present in {@link ResolvedConfig} only when at least one
 * detector is on.
 */
export interface PrivacyDetectorsConfig {
  /** Built-in detector name (`email`, `phone`, `payment_card`, `iban`, `ip_address`, `jwt`, `api_key`) to action. */
  readonly detectors: Readonly<Partial<Record<string, PrivacyAction>>>;
  /** `privacy.custom_detectors`, in the order written; they run before the built-in ones. */
  readonly custom: readonly CustomDetectorConfig[];
  /** `privacy.salt` (or `LLMOPS_PRIVACY_SALT`): the key of the `hash` action. */
  readonly salt?: string;
  /** `privacy.max_scan_length`: characters of one value scanned; the rest is cut off. */
  readonly maxScanLength: number;
  /** `privacy.extra_attributes`: more span attributes to scan (exact names, or prefixes ending in `*`). */
  readonly extraAttributes: readonly string[];
}
