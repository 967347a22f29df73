import type { ValidationMode } from "../contract/config";
import type { GlobalRegistration } from "./global-registration";

/**
 * Options of `instrument()`.
 *
 * @example
 * ```ts
 * import OpenAI from "openai";
 * const tracing = await getPlatform("arize").instrument({
 *   configPath: "./llmops.yaml",
 *   modules: { openai: OpenAI },
 * });
 * ```
 */
export interface InstrumentOptions<Config extends object = Readonly<Record<string, unknown>>> {
  /** Path of the config file (relative to the app root). Takes precedence over `LLMOPS_CONFIG_PATH` and the search. */
  readonly configPath?: string;
  /**
   * The configuration as an object (same shape as the file), used when no file is found. Typed per platform through
   * `getPlatform("name")` and each platform's own `instrument()` (see `PlatformConfig`).
   */
  readonly config?: Config;
  /**
   * Values that win over every other source (environment variables, the file, `config`), by section and key:
   * `{ arize: { endpoint: "https://phoenix.internal" } }`. For a destination or a credential the code must decide,
   * whatever the environment says.
   */
  readonly overrides?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /** The app's root folder. Default: nearest package.json at or above the working directory. */
  readonly appRoot?: string;
  /** Overrides `validation.mode` and `LLMOPS_VALIDATION_MODE`. */
  readonly validationMode?: ValidationMode;
  /**
   * Register llmops's TracerProvider (and context manager, propagator) as the process's globals. `"auto"`, the default:
   * only when no provider is registered and the app's package.json lists no OpenTelemetry setup of its own
   * (`@opentelemetry/sdk-node`, `@sentry/node`...), so that the app's registration never fails, whichever starts first;
   * `true`: whenever no provider is registered yet; `false`: never. LLM spans go through llmops's provider either way.
   */
  readonly global?: GlobalRegistration;
  /** Modules the app already imported (ESM), by module name, so they can be patched: `{ openai: OpenAI }`. */
  readonly modules?: Readonly<Record<string, unknown>>;
  /** Flush queued spans when the process exits (beforeExit, SIGTERM, SIGINT). Default on, bounded by 5 s. */
  readonly flushOnExit?: boolean | { readonly timeoutMillis: number };
  /** The environment to read. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}
