import type { EnvironmentOverride, EnvironmentValueKind } from "../platform/platform";

/** Environment variables that override the shared sections, first set wins for each key. */
export const SHARED_ENVIRONMENT: readonly { readonly variable: string; readonly path: readonly [string, string] }[] = [
  { variable: "LLMOPS_SERVICE_NAME", path: ["service", "name"] },
  { variable: "OTEL_SERVICE_NAME", path: ["service", "name"] },
  { variable: "LLMOPS_SERVICE_VERSION", path: ["service", "version"] },
  { variable: "LLMOPS_ENVIRONMENT", path: ["service", "environment"] },
  { variable: "LLMOPS_VALIDATION_MODE", path: ["validation", "mode"] },
];

/** Which variable set which key, for messages (never the value). */
export type OverrideSources = Map<string, string>;

/**
 * Applies environment overrides on top of a loaded configuration (a new object; the input is not changed):
 * the shared ones, then the platform's for its section.
 *
 * @returns the configuration and, per dotted path, the variable that set it
 */
export function applyEnvironmentOverrides(
  config: Record<string, unknown>,
  env: Readonly<Record<string, string | undefined>>,
  section: string,
  overrides: readonly EnvironmentOverride[],
): { config: Record<string, unknown>; sources: OverrideSources } {
  const result: Record<string, unknown> = { ...config };
  const sources: OverrideSources = new Map();
  const set = (sectionName: string, key: string, value: unknown, variable: string): void => {
    const path = `${sectionName}.${key}`;
    if (sources.has(path)) return; // an earlier variable already set it
    const current = result[sectionName];
    const copy = typeof current === "object" && current !== null && !Array.isArray(current) ? { ...(current as Record<string, unknown>) } : {};
    copy[key] = value;
    result[sectionName] = copy;
    sources.set(path, variable);
  };
  for (const { variable, path } of SHARED_ENVIRONMENT) {
    const value = env[variable];
    if (value !== undefined && value !== "") set(path[0], path[1], value, variable);
  }
  for (const { variable, key, kind } of overrides) {
    const value = env[variable];
    if (value !== undefined && value !== "") set(section, key, parseValue(value, kind ?? "string"), variable);
  }
  return { config: result, sources };
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
