import type { EnvironmentOverride, EnvironmentValueKind } from "../contract/config";

/** Environment variables that override the shared sections, first set wins for each key. */
export const SHARED_ENVIRONMENT: readonly { readonly variable: string; readonly path: readonly [string, string] }[] = [
  { variable: "LLMOPS_SERVICE_NAME", path: ["service", "name"] },
  { variable: "OTEL_SERVICE_NAME", path: ["service", "name"] },
  { variable: "LLMOPS_SERVICE_VERSION", path: ["service", "version"] },
  { variable: "LLMOPS_ENVIRONMENT", path: ["service", "environment"] },
  { variable: "LLMOPS_VALIDATION_MODE", path: ["validation", "mode"] },
  { variable: "LLMOPS_PRICING_ENABLED", path: ["pricing", "enabled"] },
  { variable: "LLMOPS_SAMPLING_RATIO", path: ["sampling", "ratio"] },
  { variable: "LLMOPS_PRIVACY_DETECTORS", path: ["privacy", "detectors"] },
  { variable: "LLMOPS_PRIVACY_SALT", path: ["privacy", "salt"] },
  { variable: "LLMOPS_SPANS_FILTER", path: ["spans", "filter"] },
  { variable: "LLMOPS_EXPORT_QUEUE_MEMORY_MB", path: ["export", "queue_memory_mb"] },
];

/** Which variable set which key, for messages (never the value). */
export type OverrideSources = Map<string, string>;

/** The source name recorded for values given with `instrument({ overrides })`. */
export const EXPLICIT_SOURCE = "instrument({ overrides })";

/** What became of one generic OpenTelemetry variable that is set: used for a key, or not used and why. */
export interface GenericVariableOutcome {
  /** The variable's name (its value is never kept here). */
  readonly variable: string;
  /** The dotted key it is declared for, e.g. `arize.endpoint`; undefined when the platform does not read it. */
  readonly path: string | undefined;
  /** True when it filled the key. */
  readonly used: boolean;
  /** Why it was not used: which key, set by which source, kept it out. */
  readonly reason?: string;
  /** When not used: true when its value differs from the value in force (so it would have changed something). */
  readonly differs?: boolean;
}

/** The prefix of the variables OpenTelemetry's OTLP exporters read for themselves. */
export const OTLP_EXPORTER_PREFIX = "OTEL_EXPORTER_OTLP_";

/**
 * Applies environment overrides on top of a loaded configuration (a new object; the input is not changed), by
 * precedence: explicit values (`instrument({ overrides })`) › the shared and the platform's variables › the
 * configuration › the platform's generic OpenTelemetry variables, which only fill keys that nothing else set.
 *
 * @returns the configuration; per dotted path, the variable (or option) that set it; and what became of each generic
 *   OpenTelemetry exporter variable that is set (reported only for platforms that declare generic variables, which are
 *   the ones that export over OTLP)
 */
export function applyEnvironmentOverrides(
  config: Record<string, unknown>,
  env: Readonly<Record<string, string | undefined>>,
  section: string,
  overrides: readonly EnvironmentOverride[],
  explicit?: Readonly<Record<string, unknown>>,
): { config: Record<string, unknown>; sources: OverrideSources; generic: GenericVariableOutcome[] } {
  const result: Record<string, unknown> = { ...config };
  const sources: OverrideSources = new Map();
  const set = (sectionName: string, key: string, value: unknown, variable: string): void => {
    const path = `${sectionName}.${key}`;
    if (sources.has(path)) return; // an earlier source already set it
    const current = result[sectionName];
    const copy = typeof current === "object" && current !== null && !Array.isArray(current) ? { ...(current as Record<string, unknown>) } : {};
    copy[key] = value;
    result[sectionName] = copy;
    sources.set(path, variable);
  };
  for (const [sectionName, values] of Object.entries(explicit ?? {})) {
    if (typeof values !== "object" || values === null || Array.isArray(values)) continue;
    for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
      if (value !== undefined && key !== "__proto__") set(sectionName, key, value, EXPLICIT_SOURCE);
    }
  }
  for (const { variable, path } of SHARED_ENVIRONMENT) {
    const value = env[variable];
    if (value !== undefined && value !== "") set(path[0], path[1], value, variable);
  }
  for (const { variable, key, kind, generic } of overrides) {
    const value = env[variable];
    if (generic === undefined && value !== undefined && value !== "") set(section, key, parseValue(value, kind ?? "string"), variable);
  }
  return { config: result, sources, generic: applyGenericVariables(result, env, section, overrides, sources, set) };
}

/**
 * The generic pass: each declared generic variable fills its key only when nothing set the key and no `unlessSet` key
 * is set by a non-generic source. Every `OTEL_EXPORTER_OTLP_*` variable that is set gets an outcome.
 */
function applyGenericVariables(
  result: Record<string, unknown>,
  env: Readonly<Record<string, string | undefined>>,
  section: string,
  overrides: readonly EnvironmentOverride[],
  sources: OverrideSources,
  set: (sectionName: string, key: string, value: unknown, variable: string) => void,
): GenericVariableOutcome[] {
  const declared = overrides.filter((override) => override.generic !== undefined);
  if (declared.length === 0) return [];
  const genericPaths = new Set<string>();
  const outcomes: GenericVariableOutcome[] = [];
  const inForce = (key: string): unknown => (result[section] as Record<string, unknown> | undefined)?.[key];
  /** Who set a key, when something other than a generic variable did; undefined when nobody did. */
  const setBy = (key: string): string | undefined => {
    const path = `${section}.${key}`;
    if (genericPaths.has(path)) return undefined;
    if (sources.has(path)) return sources.get(path);
    return inForce(key) === undefined ? undefined : "the configuration";
  };
  for (const { variable, key, kind, generic } of declared) {
    const value = env[variable];
    if (value === undefined || value === "") continue;
    const path = `${section}.${key}`;
    if (genericPaths.has(path)) continue; // a more specific generic variable filled it (OpenTelemetry's order)
    const by = setBy(key);
    const blocker = by === undefined ? (generic?.unlessSet ?? []).find((other) => setBy(other) !== undefined) : undefined;
    if (by !== undefined) {
      outcomes.push({ variable, path, used: false, reason: `${path} is set by ${by}`, differs: differs(value, inForce(key)) });
    } else if (blocker !== undefined) {
      outcomes.push({ variable, path, used: false, reason: `${section}.${blocker} is set by ${setBy(blocker) ?? ""}`, differs: true });
    } else {
      set(section, key, parseValue(value, kind ?? "string"), variable);
      genericPaths.add(path);
      outcomes.push({ variable, path, used: true });
    }
  }
  const known = new Set(declared.map((override) => override.variable));
  for (const [variable, value] of Object.entries(env)) {
    if (!variable.startsWith(OTLP_EXPORTER_PREFIX) || known.has(variable) || value === undefined || value === "") continue;
    outcomes.push({ variable, path: undefined, used: false, reason: `the ${section} platform does not read it`, differs: true });
  }
  return outcomes;
}

/** Whether a generic value names something else than the value in force; endpoints compare without `/v1/traces` and trailing slashes. */
function differs(value: string, current: unknown): boolean {
  if (typeof current !== "string") return true;
  const normalize = (text: string): string =>
    text
      .trim()
      .replace(/\/+$/, "")
      .replace(/\/v1\/traces$/, "")
      .replace(/\/+$/, "");
  return normalize(value) !== normalize(current);
}

/** Variables whose value decides where spans go or what requests carry: the ones worth a warning. */
const DESTINATION_VARIABLE = /_(ENDPOINT|HEADERS|CLIENT_CERTIFICATE|CLIENT_KEY)$/;

/**
 * The warnings about generic OpenTelemetry exporter variables, naming variables and keys, never values: one when such
 * a variable chose the destination or the headers of a platform, one listing those that are set and were not used
 * although they would have changed where the platform sends, or what its requests carry.
 *
 * @param section - the platform's section, e.g. `arize`
 * @param outcomes - from {@link applyEnvironmentOverrides}
 * @param overrides - the platform's variables, to name the specific ones in the advice
 */
export function genericVariableWarnings(section: string, outcomes: readonly GenericVariableOutcome[], overrides: readonly EnvironmentOverride[]): string[] {
  const warnings: string[] = [];
  const used = outcomes.filter((outcome) => outcome.used && DESTINATION_VARIABLE.test(outcome.variable));
  if (used.length > 0) {
    const keys = used.map((outcome) => outcome.path ?? "");
    const specific = overrides.filter((override) => override.generic === undefined && `${section}.${override.key}` === keys[0]);
    const advice = specific.length > 0 ? ` (or ${specific.map((override) => override.variable).join(", ")})` : "";
    warnings.push(
      `${keys.join(" and ")} ${used.length === 1 ? "comes" : "come"} from ${used.map((outcome) => outcome.variable).join(" and ")}, ` +
        `generic OpenTelemetry ${used.length === 1 ? "variable" : "variables"}, because no explicit option, platform variable or config value sets ${used.length === 1 ? "it" : "them"}: ` +
        `${section} sends its spans and credentials to the collector named there. Set ${keys[0] ?? ""}${advice} to choose the destination yourself.`,
    );
  }
  const unused = outcomes.filter((outcome) => !outcome.used && outcome.differs === true && DESTINATION_VARIABLE.test(outcome.variable));
  if (unused.length > 0) {
    warnings.push(
      `${unused.map((outcome) => `${outcome.variable} (${outcome.reason ?? "not used"})`).join(", ")}: set in the environment and not used by llmops (your own OpenTelemetry exporters still read it). ` +
        `Generic OpenTelemetry exporter variables never change where ${section} sends spans and credentials, nor add headers to its requests; ` +
        `the more specific setting wins (see "Where spans go" in docs/configuration.md).`,
    );
  }
  return warnings;
}

function parseValue(value: string, kind: EnvironmentValueKind): unknown {
  switch (kind) {
    case "boolean":
      return /^(true|1|yes|on)$/i.test(value.trim()) ? true : /^(false|0|no|off)$/i.test(value.trim()) ? false : value;
    case "number": {
      const parsed = Number(value);
      return Number.isFinite(parsed) && value.trim() !== "" ? parsed : value;
    }
    case "headers":
      return parseHeaders(value);
    default:
      return value;
  }
}

/** Reads `k1=v1,k2=v2` (the `OTEL_EXPORTER_OTLP_HEADERS` format, values URL-encoded) into an object. */
export function parseHeaders(value: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of value.split(",")) {
    const index = pair.indexOf("=");
    if (index <= 0) continue;
    const key = pair.slice(0, index).trim();
    const raw = pair.slice(index + 1).trim();
    let decoded = raw;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      // keep it as written
    }
    headers[key] = decoded;
  }
  return headers;
}
