import type { TracerProvider } from "@opentelemetry/api";
import { trace } from "@opentelemetry/api";
import type { ConfigIssue } from "../errors/llmops-error";
import type { InstrumentorReport } from "../instrumentors/run-instrumentors";
import type { ManagedTracerProvider, ValidationMode } from "../platform/platform";

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
export interface InstrumentOptions {
  /** Path of the config file (relative to the app root). Takes precedence over `LLMOPS_CONFIG_PATH` and the search. */
  readonly configPath?: string;
  /** The configuration as an object (same shape as the file), used when no file is found. */
  readonly config?: Readonly<Record<string, unknown>>;
  /** The app's root folder. Default: nearest package.json at or above the working directory. */
  readonly appRoot?: string;
  /** Overrides `validation.mode` and `LLMOPS_VALIDATION_MODE`. */
  readonly validationMode?: ValidationMode;
  /** Register the TracerProvider (and context manager, propagator) globally. Default true. */
  readonly global?: boolean;
  /** Modules the app already imported (ESM), by module name, so they can be patched: `{ openai: OpenAI }`. */
  readonly modules?: Readonly<Record<string, unknown>>;
  /** Flush queued spans when the process exits (beforeExit, SIGTERM, SIGINT). Default on, bounded by 5 s. */
  readonly flushOnExit?: boolean | { readonly timeoutMillis: number };
  /** The environment to read. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The result of `forceFlush()` and `shutdown()`: they never reject. */
export interface FlushResult {
  /** True when every span was handed to the exporter in time. */
  readonly ok: boolean;
  /** True when the timeout ran out first. */
  readonly timedOut: boolean;
  /** The error's message, when one occurred. */
  readonly error?: string;
}

/**
 * What `instrument()` returns. Every method is safe to call, also on the no-op handle of a failed start.
 *
 * @example
 * ```ts
 * const tracing = await getPlatform("local").instrument();
 * console.log(tracing.active, tracing.instrumentations);
 * await tracing.shutdown();
 * ```
 */
export interface InstrumentationHandle {
  /** The platform's name. */
  readonly platform: string;
  /** False for the no-op handle (tracing off: invalid config in permissive mode, `OTEL_SDK_DISABLED`). */
  readonly active: boolean;
  /** The TracerProvider spans go through (a no-op one when inactive). */
  readonly tracerProvider: TracerProvider;
  /** What each instrumentor of the platform's registry did. */
  readonly instrumentations: readonly InstrumentorReport[];
  /** The problems that made the handle inactive, if any. */
  readonly issues: readonly ConfigIssue[];
  /** The config file used, if any. */
  readonly configFile: string | undefined;
  /** Exports every ended span. Resolves (never rejects) within `timeoutMillis` (default 5 s). */
  forceFlush(options?: { readonly timeoutMillis?: number }): Promise<FlushResult>;
  /** Flushes and stops tracing. Resolves (never rejects) within `timeoutMillis` (default 5 s). */
  shutdown(options?: { readonly timeoutMillis?: number }): Promise<FlushResult>;
}

const DEFAULT_TIMEOUT_MILLIS = 5_000;
const OK: FlushResult = { ok: true, timedOut: false };

/** A handle that does nothing, for tracing that is off. */
export function noopHandle(platform: string, issues: readonly ConfigIssue[] = [], configFile?: string): InstrumentationHandle {
  return {
    platform,
    active: false,
    tracerProvider: trace.getTracerProvider(),
    instrumentations: [],
    issues,
    configFile,
    forceFlush: () => Promise.resolve(OK),
    shutdown: () => Promise.resolve(OK),
  };
}

/** The handle of a running pipeline. */
export function liveHandle(params: {
  platform: string;
  provider: ManagedTracerProvider;
  instrumentations: readonly InstrumentorReport[];
  configFile: string | undefined;
  onShutdown: () => void;
}): InstrumentationHandle {
  let shutdown: Promise<FlushResult> | undefined;
  return {
    platform: params.platform,
    active: true,
    tracerProvider: params.provider,
    instrumentations: params.instrumentations,
    issues: [],
    configFile: params.configFile,
    forceFlush: (options) => (shutdown !== undefined ? Promise.resolve(OK) : bounded(() => params.provider.forceFlush(), options?.timeoutMillis)),
    shutdown: (options) => {
      shutdown ??= bounded(() => params.provider.shutdown(), options?.timeoutMillis).then((result) => {
        params.onShutdown();
        return result;
      });
      return shutdown;
    },
  };
}

/** Runs an operation that may reject or hang; resolves with what happened, within the timeout. */
export function bounded(operation: () => Promise<void>, timeoutMillis: number = DEFAULT_TIMEOUT_MILLIS): Promise<FlushResult> {
  return new Promise<FlushResult>((resolve) => {
    const timer = setTimeout(() => resolve({ ok: false, timedOut: true, error: `did not finish within ${timeoutMillis} ms` }), timeoutMillis);
    timer.unref();
    let running: Promise<void>;
    try {
      running = operation();
    } catch (error) {
      running = Promise.reject(error);
    }
    running.then(
      () => {
        clearTimeout(timer);
        resolve(OK);
      },
      (error: unknown) => {
        clearTimeout(timer);
        resolve({ ok: false, timedOut: false, error: error instanceof Error ? error.message : String(error) });
      },
    );
  });
}
