import { dirname } from "node:path";
import { resolveConfig } from "../config/resolve-config";
import type { ConfigIssue } from "../errors/llmops-error";
import { ConfigurationError, LlmopsError, MissingDependencyError } from "../errors/llmops-error";
import { findAppRoot } from "../internal/app-root";
import { esmLoaderKind, esmLoaderRegistered } from "../instrumentors/module-hooks";
import { entryFileIsEsModule, preloadEsmInstrumentors } from "../instrumentors/esm-preload";
import { runInstrumentors } from "../instrumentors/run-instrumentors";
import { globalState } from "../internal/global-state";
import type { GlobalState } from "../internal/global-state";
import { ensureDiagLogger, logger, warnOnce } from "../internal/logger";
import { loadedOtelApi, otelApi } from "../internal/otel-api";
import type { OtelApi } from "../internal/otel-api";
import { rememberEnvironmentSecrets } from "../helpers/redact";
import { installCommand } from "../helpers/install-command";
import type { ManagedTracerProvider } from "../contract/provider";
import type { Platform } from "../contract/platform";
import type { ValidationMode } from "../contract/config";
import { providerContext } from "../provider/provider-context";
import { TracingStatsCollector } from "../provider/tracing-stats";
import { installFlushOnExit } from "./flush-on-exit";
import type { InstrumentationHandle } from "./handle";
import type { InstrumentOptions } from "./instrument-options";
import { bounded, liveHandle, noopHandle } from "./handle";
import { instrumentorProvider } from "./instrumentor-provider";
import { registerGlobals } from "./global-registration";
import { messageOf } from "../errors/error-message";
import { nextjsTracingOff, prepareNextjsServer } from "./nextjs";

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
 * The instrument pipeline: platform › dependencies › config › validation › TracerProvider ›
 * global registration › flush-on-exit › instrumentors › handle. One running pipeline per process: a call while one
 * runs returns its handle. Once that handle is shut down, or its start failed (thrown in strict mode, a no-op handle in
 * permissive mode), the next call starts anew. Permissive mode never throws; strict mode throws
 * {@link ConfigurationError} with every issue, or the dependency error.
 */
export function instrumentWith(
  name: string,
  load: () => Promise<Platform>,
  options: InstrumentOptions = {},
  preloaded = false,
  notice?: (appRoot: string) => DiscoveryNotice | undefined,
): Promise<InstrumentationHandle> {
  const state = globalState();
  const running = state.active;
  if (running !== undefined && running.ended !== true) {
    // The app's own instrument() after `--import <platform>/register` is expected: it gets the running handle.
    if (running.preloaded === true && running.platform === name) return running.handle as Promise<InstrumentationHandle>;
    const message =
      running.platform === name
        ? `instrument() was already called in this process (platform "${name}"); the running handle is returned and nothing is set up twice.`
        : `instrument() for platform "${name}" was called while platform "${running.platform}" is running; its handle is returned and "${name}" is not set up. ` +
          `Shut the running handle down first to switch platforms.`;
    warnEarly(running.platform === name ? "second-instrument" : `second-instrument:${name}`, message, options);
    return running.handle as Promise<InstrumentationHandle>;
  }
  const entry: NonNullable<GlobalState["active"]> = { platform: name, handle: Promise.resolve(undefined), preloaded };
  // The handle stays what getActiveInstrumentation() returns (a failed one carries its issues), but a later call
  // replaces it, unless a newer pipeline holds the slot already.
  const end = (): void => {
    if (state.active === entry) entry.ended = true;
  };
  const handle = runPipeline(name, load, options, preloaded, notice, end);
  entry.handle = handle;
  state.active = entry;
  // A failed start leaves nothing running, in either mode: a later, corrected call may try again.
  handle.then(
    (started) => {
      if (!started.active) end();
      else if (state.active === entry) entry.tracerProvider = started.tracerProvider;
    },
    () => {
      if (state.active === entry) state.active = undefined;
    },
  );
  // The caller gets a promise of its own. The bookkeeping above handles `handle`, and a rejection the caller does not
  // handle (strict mode's ConfigurationError, a missing @opentelemetry/api) must surface the way Node surfaces any
  // unhandled rejection, not vanish because llmops's own handler is attached.
  return handle.then((started) => started);
}

/**
 * A warning that must be seen even when the pipeline that sets up the console logger has not got that far yet
 * (two calls in the same tick): logged once the API is loaded and the logger is in place.
 */
function warnEarly(key: string, message: string, options: InstrumentOptions): void {
  const otel = loadedOtelApi();
  if (otel !== undefined) {
    ensureDiagLogger(otel, options.env ?? process.env);
    warnOnce(key, message);
    return;
  }
  otelApi().then(
    (loaded) => {
      ensureDiagLogger(loaded, options.env ?? process.env);
      warnOnce(key, message);
    },
    () => {},
  );
}

/** Errors thrown on purpose in strict mode; anything else escaping a stage is a bug to contain, not to pass on. */
const thrownInStrictMode = new WeakSet<object>();

async function runPipeline(
  name: string,
  load: () => Promise<Platform>,
  options: InstrumentOptions,
  preloaded: boolean,
  notice: ((appRoot: string) => DiscoveryNotice | undefined) | undefined,
  end: () => void,
): Promise<InstrumentationHandle> {
  const env = options.env ?? process.env;
  let otel: OtelApi;
  try {
    otel = await otelApi();
  } catch (error) {
    // The one peer nothing works without; no handle can be made without it either, in any mode.
    throw new MissingDependencyError({
      message: `llmops needs @opentelemetry/api, a peer dependency of @llmops/core, and it could not be loaded: ${messageOf(error)}.`,
      packageName: "@opentelemetry/api",
      installCommand: installCommand("@opentelemetry/api", options.appRoot ?? process.cwd()),
      cause: error,
    });
  }
  try {
    return await runStages(otel, name, load, options, env, preloaded, notice, end);
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
  end: () => void,
): Promise<InstrumentationHandle> {
  ensureDiagLogger(otel, env);
  // The OTLP exporters read process.env themselves (OTEL_EXPORTER_OTLP_HEADERS) even when `env` is given.
  rememberEnvironmentSecrets(process.env);
  const early = earlyMode(options, env);
  if (/^true$/i.test(env.OTEL_SDK_DISABLED?.trim() ?? "")) {
    logger.info("OTEL_SDK_DISABLED=true: tracing is off; instrument() returns a no-op handle.");
    return noopHandle(otel.trace.getTracerProvider(), name);
  }
  const nextjsOff = nextjsTracingOff(env);
  if (nextjsOff !== undefined) {
    // The Edge runtime is a setup to fix (warned); the build is expected (said at info level, once per worker).
    if (env.NEXT_RUNTIME === "edge") warnOnce("nextjs-edge", nextjsOff);
    else logger.info(nextjsOff);
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
    provider = await platform.createTracerProvider(
      providerContext({ platformName: platform.name, config, appRoot, env, stats, deferExporters: mode !== "strict", instrumentors: platform.instrumentors }),
    );
  } catch (error) {
    const wrapped = LlmopsError.isInstance(error) ? error : new LlmopsError(`Platform "${platform.name}" could not create its TracerProvider: ${messageOf(error)}`, { cause: error });
    return failed(name, mode, wrapped, [], config.file);
  }

  const registration = await registerGlobals(otel, provider, options.global ?? "auto", appRoot);
  const unregister = registration.unregister;
  const timeoutMillis = typeof options.flushOnExit === "object" ? options.flushOnExit.timeoutMillis : DEFAULT_EXIT_FLUSH_MILLIS;
  const counted = stats.isEmpty() ? undefined : () => stats.snapshot();
  const removeExitHooks =
    options.flushOnExit === false
      ? () => {}
      : installFlushOnExit(
          (timeout) => bounded(() => provider.forceFlush(), timeout, counted),
          timeoutMillis,
          (reason) => stats.abandonInFlight(reason),
        );
  prepareNextjsServer(platform, appRoot, env);
  const esmInstrumentors = await preloadEsmInstrumentors({
    registry: platform.instrumentors,
    config,
    appRoot,
    ...(options.modules === undefined ? {} : { modules: options.modules }),
    esmAppToCome: preloaded && esmLoaderRegistered() && entryFileIsEsModule(),
  });
  const instrumentations = runInstrumentors({
    esmInstrumentors,
    registry: platform.instrumentors,
    config,
    tracerProvider: instrumentorProvider(registration.provider),
    appRoot,
    platformName: platform.name,
    platformPackage: platform.packageName,
    ...(options.modules === undefined ? {} : { modules: options.modules }),
    // Under the preload the app has not loaded yet: nothing can have been imported behind llmops's back.
    ...(preloaded ? { entryIsEsModule: false } : {}),
  });
  const handle = liveHandle({
    platform: platform.name,
    provider: registration.provider,
    instrumentations,
    configFile: config.file,
    // From the moment shutdown starts, the globals and the slot are free: a new instrument() registers its own.
    onShutdownStarted: () => {
      unregister();
      end();
    },
    onShutdown: removeExitHooks,
    stats: counted,
    abandon: (reason) => stats.abandonInFlight(reason),
  });
  const loader = esmLoaderKind();
  const esm = loader === undefined ? "" : `; ES module imports intercepted ${loader === "in-thread" ? "in-thread (module.registerHooks)" : "on Node's loader thread (module.register)"}`;
  logger.debug(`platform "${platform.name}" ready (config: ${config.file ?? "inline/none"}${esm}).`);
  return handle;
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
  const text = messageOf(error);
  // Once per distinct problem: a corrected call that fails for another reason says so too.
  warnOnce(`instrument-failed:${name}:${text}`, `${text}\nTracing is off for this process until a corrected instrument() call; the app runs on (validation mode: permissive).`);
  // The API is loaded by now: runPipeline loads it before any stage can fail.
  const otel = loadedOtelApi();
  if (otel === undefined) throw error;
  return noopHandle(otel.trace.getTracerProvider(), name, issues, file);
}

function summaryFor(platform: Platform, searched: readonly string[], issues: readonly ConfigIssue[]): string {
  const count = `${issues.length} ${issues.length === 1 ? "issue" : "issues"}`;
  const none =
    searched.length > 0
      ? ` No config file was found (looked for llmops.yaml, .llmopsrc*, llmops.config.*, package.json#llmops in ${dirname(searched[0] ?? "")}; set LLMOPS_CONFIG_PATH or pass configPath).`
      : "";
  return `Invalid llmops configuration for platform "${platform.name}" (${count}):${none}`;
}
