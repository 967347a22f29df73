import { findAppRoot } from "../discovery/discover";
import type { ConfigIssue } from "../errors/llmops-error";
import type { Platform, ResolvedConfig, ValidationMode } from "../platform/platform";
import { resolveConfig } from "./resolve-config";

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Path of the config file; as in `instrument()`. */
  readonly configPath?: string;
  /** An inline configuration, used when no file is found. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** The app's root folder. */
  readonly appRoot?: string;
  /** The environment to read. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Overrides `validation.mode`. */
  readonly validationMode?: ValidationMode;
}

/** What {@link loadConfig} found, without starting anything. */
export interface LoadedConfig<Section = unknown> {
  /** The configuration, when valid. */
  readonly config: ResolvedConfig<Section> | undefined;
  /** Every problem. */
  readonly issues: readonly ConfigIssue[];
  /** Warnings (unknown keys with a did-you-mean). */
  readonly warnings: readonly string[];
  /** The file used, if any. */
  readonly file: string | undefined;
  /** The validation mode in force. */
  readonly mode: ValidationMode;
}

/**
 * Runs the config stages of `instrument()` for a platform (locate, load, substitute, overrides, validate) and
 * returns what they found; starts nothing and never throws for a bad config. The CLI's `validate` uses it.
 *
 * @param platform - the platform whose section is validated (`await getPlatform(name).load()`)
 * @param options - where to look, and the environment
 *
 * @example
 * ```ts
 * const platform = await getPlatform("arize").load();
 * const { issues } = await loadConfig(platform, { configPath: "llmops.yaml" });
 * for (const issue of issues) console.error(`${issue.path}: ${issue.message}`);
 * ```
 */
export async function loadConfig<Section>(platform: Platform<Section>, options: LoadConfigOptions = {}): Promise<LoadedConfig<Section>> {
  const env = options.env ?? process.env;
  const resolution = await resolveConfig<Section>({
    platform: platform as Platform,
    appRoot: options.appRoot ?? findAppRoot(process.cwd(), env),
    env,
    ...(options.configPath === undefined ? {} : { configPath: options.configPath }),
    inline: options.config,
    ...(options.validationMode === undefined ? {} : { validationMode: options.validationMode }),
  });
  return {
    config: resolution.resolved,
    issues: resolution.issues,
    warnings: resolution.warnings,
    file: resolution.source.kind === "file" ? resolution.source.file : undefined,
    mode: resolution.mode,
  };
}
