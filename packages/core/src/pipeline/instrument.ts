import { dirname } from "node:path";
import { resolveConfig } from "../config/resolve-config";
import type { ConfigIssue } from "../errors/llmops-error";
import { ConfigurationError, LlmopsError, MissingDependencyError } from "../errors/llmops-error";
import { findAppRoot } from "../discovery/discover";
import { esmLoaderKind } from "../instrumentors/module-hooks";
import { runInstrumentors } from "../instrumentors/run-instrumentors";
import { globalState } from "../internal/global-state";
import { componentLogger, ensureDiagLogger, loadedOtelApi, logger, otelApi, warnOnce } from "../internal/logger";
import type { OtelApi } from "../internal/logger";
import { rememberEnvironmentSecrets } from "../internal/redact";
import { installCommand } from "../internal/package-manager";
import type { ManagedTracerProvider, Platform, ValidationMode } from "../platform/platform";
import { assembleTracerProvider } from "../provider/assemble";
import { TracingStatsCollector } from "../provider/tracing-stats";
import { installFlushOnExit } from "./flush-on-exit";
import type { InstrumentationHandle, InstrumentOptions } from "./handle";
import { bounded, liveHandle, noopHandle } from "./handle";

const DEFAULT_EXIT_FLUSH_MILLIS = 5_000;

/**
 * Something discovery knows about the platform being started that the user should hear, said once the validation
 * mode is known: another installed package claims the same name, say.
 */
export interface DiscoveryNotice {
  /** How it is logged when tracing goes on. */
  readonly level: "warn" | "debug";
  /** The message; never a secret (package names only). */
  readonly message: string;
  /** Thrown instead, in strict mode, when given. */
  readonly strictError?: LlmopsError;
}

/**
 * The instrument pipeline (DESIGN.md): platform › dependencies › config › validation › TracerProvider ›
 * global registration › flush-on-exit › instrumentors › handle. One per process: a second call returns the first handle.
 * Permissive mode never throws; strict mode throws {@link ConfigurationError} with every issue, or the dependency error.
 */
export function instrumentWith(
  name: string,
  load: () => Promise<Platform>,
  options: InstrumentOptions = {},
  preloaded = false,
  notice?: (appRoot: string) => DiscoveryNotice | undefined,
): Promise<InstrumentationHandle> {
  const state = globalState();
  if (state.active !== undefined) {
    // The app's own instrument() after `--import <platform>/register` is expected: it gets the running handle.
    if (state.active.preloaded === true && state.active.platform === name) return state.active.handle as Promise<InstrumentationHandle>;
    warnOnce(
      "second-instrument",
      `instrument() was already called in this process (platform "${state.active.platform}"); the first handle is returned and nothing is set up twice.`,
    );
    return state.active.handle as Promise<InstrumentationHandle>;
  }
  const handle = runPipeline(name, load, options, preloaded, notice);
  state.active = { platform: name, handle, preloaded };
  // A strict-mode failure leaves nothing running: a later, corrected call may try again.
  handle.catch(() => {
    if (state.active?.handle === handle) state.active = undefined;
  });
  return handle;
}

/** Errors thrown on purpose in strict mode; anything else escaping a stage is a bug to contain, not to pass on. */
const thrownInStrictMode = new WeakSet<object>();

async function runPipeline(
  name: string,
  load: () => Promise<Platform>,
  options: InstrumentOptions,
  preloaded: boolean,
  notice: ((appRoot: string) => DiscoveryNotice | undefined) | undefined,
): Promise<InstrumentationHandle> {
  const env = options.env ?? process.env;
  let otel: OtelApi;
  try {
    otel = await otelApi();
  } catch (error) {
    // The one peer nothing works without; no handle can be made without it either, in any mode.
    throw new MissingDependencyError({
      message: "llmops needs @opentelemetry/api, a peer dependency of @llmops/core, and it could not be loaded.",
      packageName: "@opentelemetry/api",
      installCommand: installCommand("@opentelemetry/api", options.appRoot ?? process.cwd()),
      cause: error,
    });
  }
  try {
    return await runStages(otel, name, load, options, env, preloaded, notice);
  } catch (error) {
    if (typeof error === "object" && error !== null && thrownInStrictMode.has(error)) throw error;
    const wrapped = new LlmopsError(`llmops could not start tracing: ${messageOf(error)}`, { cause: error });
    return failed(name, earlyMode(options, env), wrapped, []);
  }
}

async function runStages(
  otel: OtelApi,
  name: string,
  load: () => Promise<Platform>,
  options: InstrumentOptions,
  env: Readonly<Record<string, string | undefined>>,
  preloaded: boolean,
  notice: ((appRoot: string) => DiscoveryNotice | undefined) | undefined,
): Promise<InstrumentationHandle> {
  ensureDiagLogger(otel, env);
  // The OTLP exporters read process.env themselves (OTEL_EXPORTER_OTLP_HEADERS) even when `env` is given.
  rememberEnvironmentSecrets(process.env);
  const early = earlyMode(options, env);
  if (/^true$/i.test(env.OTEL_SDK_DISABLED?.trim() ?? "")) {
    logger.info("OTEL_SDK_DISABLED=true: tracing is off; instrument() returns a no-op handle.");
    return noopHandle(otel.trace.getTracerProvider(), name);
  }
  let platform: Platform;
  let appRoot: string;
  try {
    appRoot = options.appRoot ?? findAppRoot(process.cwd(), env);
    platform = await load();
  } catch (error) {
    return failed(name, early, error, []);
  }

  const resolution = await resolveConfig({
    platform,
    appRoot,
    env,
    ...(options.configPath === undefined ? {} : { configPath: options.configPath }),
    inline: options.config,
    ...(options.validationMode === undefined ? {} : { validationMode: options.validationMode }),
    ...(options.overrides === undefined ? {} : { overrides: options.overrides }),
  });
  const discovered = notice?.(appRoot);
  if (discovered !== undefined) {
    // Before the config's own issues: which platform's schema judged the config depends on this choice.
    if (discovered.strictError !== undefined && resolution.mode === "strict") {
      return failed(name, "strict", discovered.strictError, [], resolution.source.kind === "file" ? resolution.source.file : undefined);
    }
    if (discovered.level === "warn") warnOnce(`discovery:${name}`, discovered.message);
    else logger.debug(discovered.message);
  }
  for (const warning of resolution.warnings) logger.warn(warning);
  if (resolution.resolved === undefined) {
    const file = resolution.source.kind === "file" || resolution.source.kind === "unreadable" ? resolution.source.file : undefined;
    const summary = summaryFor(platform, resolution.source.kind === "none" ? resolution.source.searched : [], resolution.issues);
    const error = new ConfigurationError(resolution.issues, { summary });
    return failed(name, resolution.mode, error, resolution.issues, file);
  }
  const config = resolution.resolved;
  const mode = resolution.mode;

  try {
    await platform.checkDependencies?.({ appRoot, section: config.section });
  } catch (error) {
    return failed(name, mode, error, [], config.file);
  }

  let provider: ManagedTracerProvider;
  const stats = new TracingStatsCollector();
  try {
    provider = await platform.createTracerProvider({
      section: config.section,
      config,
      service: config.service,
      appRoot,
      env,
      logger: componentLogger(platform.name),
      assembleTracerProvider: (assembly) => assembleTracerProvider(config.service, assembly, componentLogger(platform.name), stats, mode !== "strict"),
    });
  } catch (error) {
    const wrapped = LlmopsError.isInstance(error)
      ? error
      : new LlmopsError(`Platform "${platform.name}" could not create its TracerProvider: ${messageOf(error)}`, { cause: error });
    return failed(name, mode, wrapped, [], config.file);
  }

  if (options.global !== false) registerGlobally(otel, provider);
  const timeoutMillis = typeof options.flushOnExit === "object" ? options.flushOnExit.timeoutMillis : DEFAULT_EXIT_FLUSH_MILLIS;
  const counted = stats.isEmpty() ? undefined : () => stats.snapshot();
  const removeExitHooks = options.flushOnExit === false ? () => {} : installFlushOnExit(
          (timeout) => bounded(() => provider.forceFlush(), timeout, counted),
          timeoutMillis,
          (reason) => stats.abandonInFlight(reason),
        );
  const instrumentations = runInstrumentors({
    registry: platform.instrumentors,
    config,
    tracerProvider: provider,
    appRoot,
    platformName: platform.name,
    platformPackage: platform.packageName,
    ...(options.modules === undefined ? {} : { modules: options.modules }),
    // Under the preload the app has not loaded yet: nothing can have been imported behind llmops's back.
    ...(preloaded ? { entryIsEsModule: false } : {}),
  });
  const handle = liveHandle({
    platform: platform.name,
    provider,
    instrumentations,
    configFile: config.file,
    onShutdown: removeExitHooks,
    stats: counted,
    abandon: (reason) => stats.abandonInFlight(reason),
  });
  const loader = esmLoaderKind();
  const esm = loader === undefined ? "" : `; ES module imports intercepted ${loader === "in-thread" ? "in-thread (module.registerHooks)" : "on Node's loader thread (module.register)"}`;
  logger.debug(`llmops: platform "${platform.name}" ready (config: ${config.file ?? "inline/none"}${esm}).`);
  return handle;
}

/**
 * Registers the provider as the global one, with an AsyncLocalStorage context manager and the W3C propagator,
 * unless the app already registered a provider: then llmops leaves the globals alone and says so.
 */
function registerGlobally(otel: OtelApi, provider: ManagedTracerProvider): void {
  // The API keeps the registered provider in a global slot (shared by every copy of @opentelemetry/api 1.x). Class
  // names are no test: bundlers rename them (esbuild turns NoopTracerProvider into NoopTracerProvider2).
  const api = (globalThis as Record<symbol, { trace?: unknown } | undefined>)[Symbol.for("opentelemetry.js.api.1")];
  if (api?.trace !== undefined) {
    logger.warn(
      "Another TracerProvider is already registered globally; llmops does not replace it. " +
        "Instrumentors send their spans to llmops's provider; pass { global: false } to silence this.",
    );
    return;
  }
  const register = (provider as { register?: () => void }).register;
  if (typeof register === "function") {
    register.call(provider);
    return;
  }
  otel.trace.setGlobalTracerProvider(provider);
}

function earlyMode(options: InstrumentOptions, env: Readonly<Record<string, string | undefined>>): ValidationMode {
  if (options.validationMode !== undefined) return options.validationMode;
  const fromEnv = env.LLMOPS_VALIDATION_MODE?.trim();
  return fromEnv === "strict" ? "strict" : "permissive";
}

function failed(name: string, mode: ValidationMode, error: unknown, issues: readonly ConfigIssue[], file?: string): InstrumentationHandle {
  if (mode === "strict") {
    if (typeof error === "object" && error !== null) thrownInStrictMode.add(error);
    throw error;
  }
  const text = error instanceof Error ? error.message : String(error);
  warnOnce(`instrument-failed:${name}`, `${text}\nTracing is off for this process; the app runs on (validation mode: permissive).`);
  // The API is loaded by now: runPipeline loads it before any stage can fail.
  const otel = loadedOtelApi();
  if (otel === undefined) throw error;
  return noopHandle(otel.trace.getTracerProvider(), name, issues, file);
}

function summaryFor(platform: Platform, searched: readonly string[], issues: readonly ConfigIssue[]): string {
  const count = `${issues.length} ${issues.length === 1 ? "issue" : "issues"}`;
  const none = searched.length > 0 ? ` No config file was found (looked for llmops.yaml, .llmopsrc*, llmops.config.*, package.json#llmops in ${dirname(searched[0] ?? "")}; set LLMOPS_CONFIG_PATH or pass configPath).` : "";
  return `Invalid llmops configuration for platform "${platform.name}" (${count}):${none}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
