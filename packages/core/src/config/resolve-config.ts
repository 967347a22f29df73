import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ConfigIssue } from "../errors/llmops-error";
import type { Platform } from "../contract/platform";
import type { ResolvedConfig, ValidationMode } from "../contract/config";
import { redactFields, rememberConfigSecrets, rememberEnvironmentSecrets } from "../helpers/redact";
import { checkStructure } from "./check-structure";
import { applyEnvironmentOverrides, genericVariableWarnings } from "./environment";
import { locateConfig } from "./locate";
import type { ConfigSource } from "./locate";
import { substituteVariables } from "./substitute";
import { attributeIssue } from "./issue-source";
import { validateConfig } from "./validate";
import { messageOf } from "../errors/error-message";

/** Options of {@link resolveConfig}. */
export interface ResolveConfigOptions {
  readonly platform: Platform;
  readonly appRoot: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly configPath?: string;
  readonly inline?: unknown;
  readonly validationMode?: ValidationMode;
  /** `instrument({ overrides })`: values over every other source. */
  readonly overrides?: Readonly<Record<string, unknown>>;
}

/** Everything the config stages produced. */
export interface ConfigResolution<Section = unknown> {
  /** The configuration, when it has no issues. */
  readonly resolved: ResolvedConfig<Section> | undefined;
  /** Every problem, from every stage. */
  readonly issues: readonly ConfigIssue[];
  /** Things worth a warning that do not stop tracing (unknown keys). */
  readonly warnings: readonly string[];
  /** The mode in force: option › `LLMOPS_VALIDATION_MODE` › `validation.mode` › permissive. */
  readonly mode: ValidationMode;
  /** Where the configuration came from. */
  readonly source: ConfigSource;
}

/**
 * The config stages of the pipeline: locate › load › check the structure › substitute `${VAR}` › environment
 * overrides (explicit values › variables › configuration › generic OpenTelemetry variables) › validate › the
 * platform's own checks (`checkConfig`). Never throws: every problem comes back as an issue.
 * `instrument()` and `llmops validate` (through `loadConfig`) both run exactly these stages, so they agree.
 */
export async function resolveConfig<Section = unknown>(options: ResolveConfigOptions): Promise<ConfigResolution<Section>> {
  const { platform, appRoot, env } = options;
  // Known before anything can fail and be reported: every message from here on is scrubbed of them.
  rememberEnvironmentSecrets(env);
  rememberConfigSecrets(options.inline);
  const located = await locateConfig({ appRoot, env, ...(options.configPath === undefined ? {} : { configPath: options.configPath }), inline: options.inline });
  const source = located.source;
  const file = source.kind === "file" || source.kind === "unreadable" ? source.file : undefined;
  const stop = (issues: readonly ConfigIssue[]): ConfigResolution<Section> => ({
    resolved: undefined,
    issues: issues.map((issue) => redactFields(issue)),
    warnings: [],
    mode: options.validationMode ?? "permissive",
    source,
  });
  // A file named but not read: validating an empty configuration in its place would only add false issues.
  if (located.issues.length > 0) return stop(located.issues);
  const raw = source.kind === "file" || source.kind === "inline" ? source.config : {};
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return stop([
      { path: "", message: "the configuration must be an object of sections", expected: "an object", received: Array.isArray(raw) ? "an array" : typeof raw, ...(file === undefined ? {} : { file }) },
    ]);
  }
  // Before any stage walks it: bounded size, depth and no cycle, so that no later walk can run away.
  const structure = checkStructure(raw, file);
  if (structure.fatal) return stop(structure.issues);
  const issues: ConfigIssue[] = [...structure.issues];
  const substituted = substituteVariables(raw, env, file);
  // Only the sections this platform reads count: another platform's unset `${VAR}` is not this one's problem.
  const read = new Set(["service", "instrumentation", "validation", "privacy", platform.configSection]);
  const unset = substituted.issues.filter((issue) => read.has(issue.path.split(".")[0] ?? ""));
  issues.push(...unset);
  const overridden = applyEnvironmentOverrides(substituted.value as Record<string, unknown>, env, platform.configSection, platform.environment ?? [], options.overrides);
  const environmentWarnings = genericVariableWarnings(platform.configSection, overridden.generic, platform.environment ?? []);
  const config = withServiceNameDefault(overridden.config, appRoot);
  // The file's own values too, where a variable overrode them: they are credentials all the same.
  rememberConfigSecrets(substituted.value);
  rememberConfigSecrets(config);
  const redacted = new Set(substituted.substitutedPaths);
  for (const path of overridden.sources.keys()) redacted.add(path);
  const outcome = await validateConfig<Section>({ config, platform: platform as Platform<Section>, ...(file === undefined ? {} : { file }), redactedPaths: redacted });
  // An unset variable is one issue: the empty string left in its place is not reported again by the schema.
  const unsetPaths = unset.map((issue) => issue.path);
  const sources = { overrides: overridden.sources, substituted: substituted.substitutedVariables };
  issues.push(...outcome.issues.filter((issue) => !unsetPaths.some((path) => issue.path === path || issue.path.startsWith(`${path}.`))).map((issue) => attributeIssue(issue, sources)));
  const mode = options.validationMode ?? outcome.mode ?? "permissive";
  if (issues.length === 0 && outcome.resolved !== undefined) {
    issues.push(...(await platformChecks(platform as Platform<Section>, outcome.resolved.section, appRoot, env, file)).map((issue) => attributeIssue(issue, sources)));
  }
  const resolved = issues.length === 0 && outcome.resolved !== undefined ? { ...outcome.resolved, validationMode: mode } : undefined;
  // The first source found is used and sources are not merged: an inline configuration beside a file is left unread.
  const inlineUnused =
    options.inline !== undefined && file !== undefined
      ? [`instrument({ config }) is not used: ${file} was found first and is the configuration (sources are not merged). Remove the file, or put these values in it.`]
      : [];
  return { resolved, issues: issues.map((issue) => redactFields(issue)), warnings: [...inlineUnused, ...environmentWarnings, ...outcome.warnings], mode, source };
}

/** The platform's `checkConfig`, contained: a check that throws is reported as an issue, never thrown on. */
async function platformChecks<Section>(
  platform: Platform<Section>,
  section: Section,
  appRoot: string,
  env: Readonly<Record<string, string | undefined>>,
  file: string | undefined,
): Promise<readonly ConfigIssue[]> {
  if (platform.checkConfig === undefined) return [];
  const fileField = file === undefined ? {} : { file };
  try {
    const found = await platform.checkConfig({ section, appRoot, env });
    return found.map((issue) => ({ ...fileField, ...issue }));
  } catch (error) {
    return [{ path: platform.configSection, message: `platform "${platform.name}" could not check its section: ${messageOf(error)}`, ...fileField }];
  }
}

/** `service.name` falls back to the app's package.json `name` (an extension of the seed, which requires it). */
function withServiceNameDefault(config: Record<string, unknown>, appRoot: string): Record<string, unknown> {
  const service = config.service ?? {};
  if (typeof service !== "object" || service === null || "name" in service) return { ...config, service };
  let name: unknown;
  try {
    name = (JSON.parse(readFileSync(join(appRoot, "package.json"), "utf8")) as { name?: unknown }).name;
  } catch {
    name = undefined;
  }
  return { ...config, service: typeof name === "string" && name !== "" ? { ...service, name } : service };
}
