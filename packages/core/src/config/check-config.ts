import { findAppRoot } from "../internal/app-root";
import type { ConfigIssue } from "../errors/llmops-error";
import type { Platform } from "../contract/platform";
import type { ResolvedConfig, ValidationMode } from "../contract/config";
import { runsCode } from "./locate";
import { resolveConfig } from "./resolve-config";
import { messageOf } from "../errors/error-message";

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
  /** The config file read, or found and not readable (the issues say why), if any. */
  readonly file: string | undefined;
  /** True when the file is a `.js`, `.cjs`, `.mjs` or `.ts` config: reading it ran its code, as `instrument()` does. */
  readonly ranCode: boolean;
  /** The validation mode in force. */
  readonly mode: ValidationMode;
}

/**
 * Runs the checks of `instrument()` for a platform (locate, load, structure, substitute, overrides, validate, the
 * platform's `checkConfig` and `checkDependencies`) and returns what they found; starts nothing and never throws for
 * a bad config. The CLI's `validate` uses it, so it fails where strict `instrument()` would.
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
  const appRoot = options.appRoot ?? findAppRoot(process.cwd(), env);
  const resolution = await resolveConfig<Section>({
    platform: platform as Platform,
    appRoot,
    env,
    ...(options.configPath === undefined ? {} : { configPath: options.configPath }),
    inline: options.config,
    ...(options.validationMode === undefined ? {} : { validationMode: options.validationMode }),
  });
  const issues = [...resolution.issues];
  const source = resolution.source;
  const file = source.kind === "file" || source.kind === "unreadable" ? source.file : undefined;
  if (resolution.resolved !== undefined) {
    // instrument() runs this right after the config stages and stops on it: a missing module is a problem here too.
    try {
      await platform.checkDependencies?.({ appRoot, section: resolution.resolved.section });
    } catch (error) {
      issues.push({ path: "", message: messageOf(error), ...(file === undefined ? {} : { file }) });
    }
  }
  return {
    config: issues.length === 0 ? resolution.resolved : undefined,
    issues,
    warnings: resolution.warnings,
    file,
    ranCode: file !== undefined && runsCode(file),
    mode: resolution.mode,
  };
}
