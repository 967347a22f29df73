import type * as Valibot from "valibot";
import type * as ValibotFunctions from "./valibot";
import type { ConfigIssue } from "../errors/llmops-error";
import { closest } from "../internal/did-you-mean";
import { describeValue, isSecretPath } from "../helpers/redact";
import type { Platform } from "../contract/platform";
import type { PrivacyConfig, ResolvedConfig, ValidationMode } from "../contract/config";
import { removedInstrumentors } from "./removed-instrumentors";
import { pricingSchema, samplingSchema, toPricingConfig, toSamplingConfig } from "./pricing-sampling-schema";
import { exportQueueMemorySchema, toExportConfig } from "./export-section";
import { privacyDetectorEntries, privacyWarnings, toPrivacyDetectors } from "../privacy/settings";

/** The keys of the shared sections, for unknown-key warnings. */
const SHARED_SECTIONS = ["service", "instrumentation", "validation", "privacy", "pricing", "sampling", "spans", "export"] as const;

/** `privacy:` keys (snake_case, as in the file) and the OpenInference trace-config option each one sets. */
export const PRIVACY_KEYS = {
  hide_inputs: "hideInputs",
  hide_outputs: "hideOutputs",
  hide_input_messages: "hideInputMessages",
  hide_output_messages: "hideOutputMessages",
  hide_input_images: "hideInputImages",
  hide_input_text: "hideInputText",
  hide_output_text: "hideOutputText",
  hide_embedding_vectors: "hideEmbeddingVectors",
  base64_image_max_length: "base64ImageMaxLength",
} as const satisfies Record<string, keyof PrivacyConfig>;

/** What {@link validateConfig} found. */
export interface ValidationOutcome<Section> {
  /** The configuration, when there were no issues. */
  readonly resolved: ResolvedConfig<Section> | undefined;
  /** Every problem, each with its dotted path. */
  readonly issues: readonly ConfigIssue[];
  /** Unknown keys (with a did-you-mean) and other things worth a warning that do not stop tracing. */
  readonly warnings: readonly string[];
  /** `validation.mode` from the configuration, if it held a valid one. */
  readonly mode: ValidationMode | undefined;
}

/** Builds the schema of the shared sections plus the platform's section. */
function buildSchema(v: typeof ValibotFunctions, platform: Platform): Valibot.GenericSchema {
  const nonEmpty = v.pipe(v.string(), v.nonEmpty("must not be empty"));
  return v.object({
    service: v.object({
      name: nonEmpty,
      version: v.optional(v.pipe(v.union([v.string(), v.number()]), v.transform(String))),
      environment: v.optional(v.string()),
    }),
    instrumentation: v.optional(v.nullable(v.record(v.string(), v.boolean())), {}),
    validation: v.optional(v.nullable(v.object({ mode: v.optional(v.picklist(["strict", "permissive"])) })), {}),
    privacy: v.optional(
      v.nullable(
        v.object({
          ...Object.fromEntries(
            Object.keys(PRIVACY_KEYS).map((key) => [key, key === "base64_image_max_length" ? v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))) : v.optional(v.boolean())]),
          ),
          ...privacyDetectorEntries(v),
        }),
      ),
      {},
    ),
    pricing: pricingSchema(v),
    sampling: samplingSchema(v),
    spans: v.optional(v.nullable(v.object({ filter: v.optional(v.picklist(["llm", "all"]), "llm") })), {}),
    export: v.optional(v.nullable(v.object({ queue_memory_mb: v.optional(exportQueueMemorySchema(v)) })), {}),
    [platform.configSection]: v.optional(platform.schema as Valibot.GenericSchema, {}),
  });
}

/**
 * Validates the shared sections and the platform's section with valibot, collecting every issue at once.
 *
 * @param params.config - the configuration after substitution and environment overrides
 * @param params.platform - the platform whose section is read
 * @param params.file - the file it came from, for issues
 * @param params.redactedPaths - paths whose values must never be printed (substituted from variables)
 */
export async function validateConfig<Section>(params: {
  readonly config: Record<string, unknown>;
  readonly platform: Platform<Section>;
  readonly file?: string;
  readonly redactedPaths: ReadonlySet<string>;
}): Promise<ValidationOutcome<Section>> {
  const v = await import("./valibot");
  const { config, platform, file, redactedPaths } = params;
  const schema = buildSchema(v, platform as Platform);
  const fileField = file === undefined ? {} : { file };
  const secret = (path: string): boolean => isSecretPath(path) || [...redactedPaths].some((redacted) => path === redacted || path.startsWith(`${redacted}.`));

  const result = v.safeParse(schema, config);
  const issues: ConfigIssue[] = [];
  if (!result.success) {
    for (const issue of result.issues) {
      const path = v.getDotPath(issue) ?? "";
      const value = valueAt(config, path);
      const missing = value === undefined;
      issues.push({
        path,
        message: describeIssue(issue, missing),
        ...(issue.expected === null ? {} : { expected: issue.expected }),
        received: describeValue(value, !missing && secret(path)),
        ...fileField,
      });
    }
  }

  const warnings = [...unknownKeyWarnings(schema, config, platform as Platform)];
  const rawMode = (config.validation as { mode?: unknown } | undefined)?.mode;
  const mode = rawMode === "strict" || rawMode === "permissive" ? rawMode : undefined;
  if (!result.success) return { resolved: undefined, issues, warnings, mode };

  const output = result.output as Record<string, unknown>;
  const privacyDetectors = toPrivacyDetectors((output.privacy as Record<string, unknown> | null) ?? {});
  warnings.push(...privacyWarnings(privacyDetectors));
  const service = output.service as { name: string; version?: string; environment?: string };
  return {
    resolved: {
      service: {
        name: service.name,
        ...(service.version === undefined ? {} : { version: service.version }),
        ...(service.environment === undefined ? {} : { environment: service.environment }),
      },
      instrumentation: (output.instrumentation as Record<string, boolean> | null) ?? {},
      export: toExportConfig(output.export),
      privacy: toPrivacyConfig((output.privacy as Record<string, boolean | number | undefined> | null) ?? {}),
      ...(privacyDetectors === undefined ? {} : { privacyDetectors }),
      validationMode: mode ?? "permissive",
      pricing: toPricingConfig(output.pricing as Parameters<typeof toPricingConfig>[0]),
      sampling: toSamplingConfig(output.sampling as Parameters<typeof toSamplingConfig>[0]),
      spans: { filter: (output.spans as { filter?: "llm" | "all" } | null)?.filter ?? "llm" },
      section: output[platform.configSection] as Section,
      ...fileField,
    },
    issues,
    warnings,
    mode,
  };
}

function toPrivacyConfig(section: Record<string, boolean | number | undefined>): PrivacyConfig {
  const privacy: Record<string, boolean | number> = {};
  for (const [key, option] of Object.entries(PRIVACY_KEYS)) {
    const value = section[key];
    if (value !== undefined) privacy[option] = value;
  }
  return privacy as PrivacyConfig;
}

function* unknownKeyWarnings(schema: Valibot.GenericSchema, config: Record<string, unknown>, platform: Platform): Generator<string> {
  const known = [...SHARED_SECTIONS, platform.configSection];
  for (const key of Object.keys(config)) {
    if (known.includes(key)) continue;
    const suggestion = closest(key, known);
    // Other top-level keys may be other platforms' sections: only a near miss of a known one is worth a word.
    if (suggestion !== undefined) yield `Unknown configuration section "${key}": did you mean "${suggestion}"?`;
  }
  const registryKeys = platform.instrumentors.map((spec) => spec.key);
  const instrumentation = config.instrumentation;
  if (typeof instrumentation === "object" && instrumentation !== null) {
    for (const key of Object.keys(instrumentation)) {
      if (registryKeys.includes(key)) continue;
      const removed = Object.hasOwn(removedInstrumentors, key) ? removedInstrumentors[key] : undefined;
      if (removed !== undefined) {
        yield `instrumentation.${key}: llmops no longer applies this instrumentor (${removed}); the key is ignored. To trace it anyway, apply the instrumentor yourself with the handle's tracerProvider.`;
        continue;
      }
      const suggestion = closest(key, registryKeys);
      const hint = suggestion === undefined ? `it has: ${registryKeys.join(", ") || "none"}` : `did you mean "${suggestion}"?`;
      yield `instrumentation.${key}: platform "${platform.name}" has no instrumentor of that name (${hint}); the key is ignored.`;
    }
  }
  const entries = objectEntries(schema);
  for (const section of ["service", "validation", "privacy", "pricing", "sampling", "spans", platform.configSection]) {
    const sectionSchema = entries?.[section];
    yield* unknownIn(sectionSchema, config[section], section);
  }
}

function* unknownIn(schema: unknown, value: unknown, path: string): Generator<string> {
  const entries = objectEntries(schema);
  if (entries === undefined || typeof value !== "object" || value === null || Array.isArray(value)) return;
  const names = Object.keys(entries);
  for (const [key, item] of Object.entries(value)) {
    if (key in entries) {
      yield* unknownIn(entries[key], item, `${path}.${key}`);
      continue;
    }
    const suggestion = closest(key, names);
    const hint = suggestion === undefined ? `known keys: ${names.join(", ")}` : `did you mean "${suggestion}"?`;
    yield `Unknown configuration key "${path}.${key}" (${hint}); it is ignored.`;
  }
}

/** The entries of an object schema, seen through optional/nullable/pipe wrappers. */
function objectEntries(schema: unknown): Record<string, unknown> | undefined {
  let current = schema as { entries?: Record<string, unknown>; wrapped?: unknown; pipe?: unknown[]; type?: string } | undefined;
  for (let depth = 0; depth < 10 && current !== undefined; depth++) {
    if (current.entries !== undefined && typeof current.entries === "object") return current.entries;
    if (current.wrapped !== undefined) current = current.wrapped as typeof current;
    else if (Array.isArray(current.pipe) && current.pipe[0] !== current) current = current.pipe[0] as typeof current;
    else return undefined;
  }
  return undefined;
}

function valueAt(config: unknown, path: string): unknown {
  if (path === "") return config;
  let current: unknown = config;
  for (const key of path.split(".")) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

/**
 * A message for a valibot issue that never repeats the value: valibot's default messages quote what was received,
 * which may be a secret. A message the schema's author wrote (valibot's defaults start with "Invalid") is kept.
 */
function describeIssue(issue: { kind: string; type: string; message: string; expected: string | null }, missing: boolean): string {
  if (!issue.message.startsWith("Invalid ")) return issue.message;
  if (missing) return "is required";
  if (issue.kind === "schema") return issue.type === "picklist" || issue.type === "literal" ? "is not one of the allowed values" : "has the wrong type";
  return `fails the ${issue.type.replace(/_/g, " ")} check`;
}
