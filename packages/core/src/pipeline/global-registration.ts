import { join } from "node:path";
import type { Context, Span, SpanOptions, Tracer, TracerOptions, TracerProvider } from "@opentelemetry/api";
import type { ManagedTracerProvider } from "../contract/provider";
import { logger, warnOnce } from "../internal/logger";
import type { OtelApi } from "../internal/otel-api";
import { readRegularFile } from "../internal/read-file";
import { runningSentry, SENTRY_OPENAI_TWICE, SENTRY_WITHOUT_OPENTELEMETRY } from "./running-sentry";
import { loadOtelSdk } from "../internal/otel-sdk";

/**
 * Whether `instrument()` registers llmops's TracerProvider, context manager and propagator as the process's globals:
 * `true` when no provider is registered yet, `false` never, `"auto"` (the default) only when the app runs no
 * OpenTelemetry setup of its own.
 *
 * @example
 * ```ts
 * import { getPlatform } from "@llmops/core";
 * import type { GlobalRegistration } from "@llmops/core";
 * const global: GlobalRegistration = "auto";
 * const tracing = await getPlatform("arize").instrument({ global });
 * ```
 */
export type GlobalRegistration = boolean | "auto";

/**
 * Packages that, listed in the app's `dependencies`, mean the app registers the OpenTelemetry globals itself (its
 * NodeSDK, its own `provider.register()`, Sentry's OpenTelemetry setup, `@vercel/otel`), possibly after
 * `instrument()`: a global registered by llmops first would make that registration fail with "Attempted duplicate
 * registration of API" and pull the app's own spans into llmops's provider.
 */
export const APP_OPENTELEMETRY_PACKAGES: readonly string[] = [
  "@opentelemetry/sdk-node",
  "@opentelemetry/sdk-trace-node",
  "@opentelemetry/auto-instrumentations-node",
  "@vercel/otel",
  "@sentry/node",
  "@sentry/nextjs",
  "@sentry/nestjs",
  "@sentry/aws-serverless",
  "@sentry/google-cloud-serverless",
];

/** The app's package.json is small; anything larger is not read for this guess. */
const MAX_PACKAGE_JSON_BYTES = 1024 * 1024;

/** The first package of {@link APP_OPENTELEMETRY_PACKAGES} the app's package.json lists, or undefined. */
export function appOpenTelemetryPackage(appRoot: string): string | undefined {
  const read = readRegularFile(join(appRoot, "package.json"), MAX_PACKAGE_JSON_BYTES);
  if (read.kind !== "text") return undefined;
  let manifest: { dependencies?: unknown; optionalDependencies?: unknown };
  try {
    manifest = JSON.parse(read.text) as typeof manifest;
  } catch {
    return undefined;
  }
  const listed = new Set<string>();
  for (const field of [manifest.dependencies, manifest.optionalDependencies]) {
    if (typeof field === "object" && field !== null) for (const name of Object.keys(field)) listed.add(name);
  }
  return APP_OPENTELEMETRY_PACKAGES.find((name) => listed.has(name));
}

type GlobalName = "trace" | "context" | "propagation";
const GLOBAL_NAMES: readonly GlobalName[] = ["trace", "context", "propagation"];

/**
 * The API's global slot (shared by every copy of `@opentelemetry/api` 1.x). Class names are no test of what is in it:
 * bundlers rename them (esbuild turns NoopTracerProvider into NoopTracerProvider2).
 */
function apiSlot(): Partial<Record<GlobalName, unknown>> | undefined {
  return (globalThis as Record<symbol, Partial<Record<GlobalName, unknown>> | undefined>)[Symbol.for("opentelemetry.js.api.1")];
}

/** What {@link registerGlobals} did: how to undo it, and the provider the pipeline hands out. */
export interface GlobalRegistrationResult {
  /** Clears each global llmops set that still holds what llmops put there. */
  readonly unregister: () => void;
  /**
   * The provider to hand to instrumentors and `trace()`: the given one, or, when the app's own setup is expected to
   * register the globals, the same provider behind a first-span check (see {@link registerGlobals}).
   */
  readonly provider: ManagedTracerProvider;
}

/**
 * Registers `provider` as the global one, with an AsyncLocalStorage context manager and the W3C propagator, unless the
 * app owns OpenTelemetry:
 * - a provider is registered already: llmops leaves the globals alone (with a warning, unless the app's package.json
 *   lists its OpenTelemetry setup);
 * - `global` is `"auto"` and the app's package.json lists an OpenTelemetry setup ({@link APP_OPENTELEMETRY_PACKAGES}):
 *   llmops registers nothing, whichever starts first, so the app's registration succeeds. LLM spans go through
 *   llmops's own provider and take their parent from the app's context manager through the API. Should no context
 *   manager be registered by the time llmops starts its first span (the app's SDK never started, or it keeps its
 *   context to itself, as Sentry does without its OpenTelemetry setup), llmops registers its own context manager then,
 *   and only that, so that its spans still nest.
 */
export async function registerGlobals(otel: OtelApi, provider: ManagedTracerProvider, mode: GlobalRegistration, appRoot: string): Promise<GlobalRegistrationResult> {
  if (mode === false) return { unregister: () => {}, provider };
  const owner = mode === "auto" ? appOpenTelemetryPackage(appRoot) : undefined;
  if (apiSlot()?.trace !== undefined) {
    if (owner !== undefined) logger.debug(`A TracerProvider is registered globally (the app lists ${owner}); llmops leaves the globals to it and sends LLM spans through its own provider.`);
    else
      warnOnce(
        "global-provider-present",
        "Another TracerProvider is already registered globally; llmops does not replace it. Instrumentors send their spans to llmops's provider; pass { global: false } to silence this.",
      );
    return { unregister: () => {}, provider: await withFirstSpanChecks(otel, provider) };
  }
  if (owner !== undefined) {
    logger.debug(`The app lists ${owner}, which registers the OpenTelemetry globals itself: llmops registers none and sends LLM spans through its own provider.`);
    return { unregister: () => {}, provider: await withFirstSpanChecks(otel, provider) };
  }
  const before = { ...apiSlot() };
  const register = (provider as { register?: () => void }).register;
  if (typeof register === "function") register.call(provider);
  else otel.trace.setGlobalTracerProvider(provider);
  const after = { ...apiSlot() };
  const ours = GLOBAL_NAMES.filter((global) => before[global] === undefined && after[global] !== undefined);
  return {
    unregister: () => {
      for (const global of ours) if (apiSlot()?.[global] === after[global]) otel[global].disable();
    },
    provider,
  };
}

/** The instrumentation scope of OpenInference's OpenAI instrumentor, whose calls Sentry's OpenAI integration traces too. */
const OPENINFERENCE_OPENAI_SCOPE = "@arizeai/openinference-instrumentation-openai";

/**
 * `provider`, whose tracers check, at the first span llmops starts (by then the app's setup has had its chance):
 * - that a context manager is registered, and register llmops's own (AsyncLocalStorage) when none is, so that its
 *   spans nest;
 * - whether a running Sentry keeps LLM spans out of its traces (no OpenTelemetry setup) or traces the same OpenAI
 *   calls (its OpenAI integration beside the openai instrumentor): each is said once, with the way out.
 */
async function withFirstSpanChecks(otel: OtelApi, provider: ManagedTracerProvider): Promise<ManagedTracerProvider> {
  const { AsyncLocalStorageContextManager } = await loadOtelSdk();
  let contextChecked = false;
  let openAiChecked = false;
  const firstSpan = (scope: string): void => {
    if (!contextChecked) {
      contextChecked = true;
      const sentry = runningSentry();
      if (apiSlot()?.context === undefined) {
        otel.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
        logger.debug("No context manager was registered by the first LLM span; llmops registered its own (AsyncLocalStorage).");
      }
      if (sentry !== undefined && !sentry.openTelemetrySetup) warnOnce("sentry-without-opentelemetry", SENTRY_WITHOUT_OPENTELEMETRY);
    }
    if (!openAiChecked && scope === OPENINFERENCE_OPENAI_SCOPE) {
      openAiChecked = true;
      if (runningSentry()?.openAIIntegration === true) warnOnce("sentry-openai-twice", SENTRY_OPENAI_TWICE);
    }
  };
  // One wrapper per tracer of the provider, as the SDK keeps one tracer per name and version.
  const wrappers = new WeakMap<Tracer, Tracer>();
  const getTracer = (name: string, version?: string, options?: TracerOptions): Tracer => {
    const tracer = provider.getTracer(name, version, options);
    const known = wrappers.get(tracer);
    if (known !== undefined) return known;
    const wrapper: Tracer = {
      startSpan: (spanName: string, spanOptions?: SpanOptions, context?: Context): Span => {
        firstSpan(name);
        return tracer.startSpan(spanName, spanOptions, context);
      },
      startActiveSpan: ((...args: unknown[]) => {
        firstSpan(name);
        return (tracer.startActiveSpan as (...rest: unknown[]) => unknown).apply(tracer, args);
      }) as Tracer["startActiveSpan"],
    };
    wrappers.set(tracer, wrapper);
    return wrapper;
  };
  return new Proxy(provider, {
    get(target, property) {
      if (property === "getTracer") return getTracer;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  }) as ManagedTracerProvider & TracerProvider;
}
