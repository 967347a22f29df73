import type * as Valibot from "valibot";
import type * as ValibotFunctions from "../config/valibot";
import type { CustomDetectorConfig, PrivacyAction, PrivacyDetectorsConfig } from "../contract/privacy";
import { closest } from "../internal/did-you-mean";
import { BUILT_IN_DETECTORS } from "./detectors";
import { unsafePatternReason } from "./safe-pattern";

/** The actions a detector takes, as written in the file. */
export const PRIVACY_ACTIONS = ["mask", "hash", "redact", "off"] as const satisfies readonly PrivacyAction[];

/** `privacy.detectors.all` sets every built-in detector not named on its own. */
const ALL = "all";

/** Characters of one attribute value scanned by default; the rest is cut off. */
export const DEFAULT_MAX_SCAN_LENGTH = 262_144;

const ACTION_MESSAGE = `must be one of ${PRIVACY_ACTIONS.join(", ")}`;

/**
 * Reads `email=hash,all=redact` (the form of `LLMOPS_PRIVACY_DETECTORS`) into the object the file would hold; `off`
 * or `none` alone turns every built-in detector off. Anything that is not text is left for the schema to judge.
 */
export function parseDetectorList(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const text = value.trim();
  if (/^(off|none)$/i.test(text)) return { [ALL]: "off" };
  const detectors: Record<string, string> = {};
  for (const pair of text.split(",")) {
    if (pair.trim() === "") continue;
    const [name = "", action = ""] = pair.split("=").map((part) => part.trim());
    detectors[name] = action;
  }
  return detectors;
}

/** The schema entries the `privacy:` section gets besides the hide switches. */
export function privacyDetectorEntries(v: typeof ValibotFunctions): Record<string, Valibot.GenericSchema> {
  const action = v.picklist(PRIVACY_ACTIONS, ACTION_MESSAGE);
  const names: readonly string[] = [...BUILT_IN_DETECTORS, ALL];
  const detectors = v.pipe(
    v.unknown(),
    v.transform(parseDetectorList),
    v.record(
      v.pipe(
        v.string(),
        v.check(
          (name) => names.includes(name),
          (issue) => {
            const name = String(issue.input);
            const suggestion = closest(name, names);
            return `"${name}" is not a detector (${suggestion === undefined ? `detectors: ${names.join(", ")}` : `did you mean "${suggestion}"?`})`;
          },
        ),
      ),
      action,
      "must map detector names to actions, e.g. { email: hash, all: redact }",
    ),
  );
  const custom = v.object({
    name: v.pipe(v.string(), v.regex(/^[A-Za-z][A-Za-z0-9_]{0,39}$/, "must be a word of letters, digits and _ (at most 40)")),
    pattern: v.string(),
    action: v.optional(action, "redact"),
    ignore_case: v.optional(v.boolean(), false),
  });
  return {
    detectors: v.optional(v.nullable(detectors)),
    custom_detectors: v.optional(
      v.nullable(
        v.array(
          v.pipe(
            custom,
            v.rawCheck(({ dataset, addIssue }) => {
              if (!dataset.typed) return;
              const reason = unsafePatternReason(dataset.value.pattern, dataset.value.ignore_case);
              if (reason !== undefined) {
                addIssue({ message: `pattern ${reason}`, path: [{ type: "object", origin: "value", input: dataset.value, key: "pattern", value: dataset.value.pattern }] });
              }
            }),
          ),
        ),
      ),
    ),
    salt: v.optional(v.pipe(v.string(), v.nonEmpty("must not be empty"))),
    max_scan_length: v.optional(v.pipe(v.number(), v.integer(), v.minValue(256, "must be at least 256"), v.maxValue(16_777_216, "must be at most 16777216"))),
    extra_attributes: v.optional(v.nullable(v.array(v.pipe(v.string(), v.nonEmpty("must not be empty"))))),
  };
}

/** The validated detector settings, or undefined when no detector is on. */
export function toPrivacyDetectors(section: Record<string, unknown>): PrivacyDetectorsConfig | undefined {
  const written = (section.detectors ?? {}) as Record<string, PrivacyAction>;
  const detectors: Partial<Record<string, PrivacyAction>> = {};
  for (const name of BUILT_IN_DETECTORS) {
    const action = written[name] ?? written[ALL];
    if (action !== undefined && action !== "off") detectors[name] = action;
  }
  const custom: CustomDetectorConfig[] = ((section.custom_detectors ?? []) as { name: string; pattern: string; action: PrivacyAction; ignore_case: boolean }[])
    .filter((entry) => entry.action !== "off")
    .map((entry) => ({ name: entry.name, pattern: entry.pattern, action: entry.action, ignoreCase: entry.ignore_case }));
  if (Object.keys(detectors).length === 0 && custom.length === 0) return undefined;
  const salt = section.salt as string | undefined;
  return {
    detectors,
    custom,
    ...(salt === undefined ? {} : { salt }),
    maxScanLength: (section.max_scan_length as number | undefined) ?? DEFAULT_MAX_SCAN_LENGTH,
    extraAttributes: (section.extra_attributes as string[] | null | undefined) ?? [],
  };
}

/** Warnings about detector settings that work but not as one may expect. */
export function privacyWarnings(settings: PrivacyDetectorsConfig | undefined): string[] {
  if (settings === undefined || settings.salt !== undefined) return [];
  const hashing = Object.values(settings.detectors).includes("hash") || settings.custom.some((entry) => entry.action === "hash");
  return hashing
    ? ["privacy: the hash action has no salt (privacy.salt or LLMOPS_PRIVACY_SALT): tokens come from a random salt of this process, so the same value gets the same token in this process only."]
    : [];
}
