import type { TracerProvider } from "@opentelemetry/api";
import { appRequire } from "../discovery/discover";
import { globalState } from "../internal/global-state";
import { componentLogger } from "../internal/logger";
import { installCommand } from "../internal/package-manager";
import type { InstrumentationLike, InstrumentorSpec, ResolvedConfig } from "../platform/platform";

/** What happened to one instrumentor of the registry. */
export type InstrumentorStatus = "instrumented" | "disabled" | "not-installed" | "failed" | "already-applied";

/** One line of the instrumentation report. */
export interface InstrumentorReport {
  /** The `instrumentation:` key. */
  readonly key: string;
  /** The instrumentor package. */
  readonly packageName: string;
  /** What happened. */
  readonly status: InstrumentorStatus;
  /** Whether an already-imported module handed in with `modules` was patched. */
  readonly patchedModule: boolean;
  /** Why, for `not-installed` (with the install line) and `failed`. */
  readonly message?: string;
}

/** Options of {@link runInstrumentors}. */
export interface RunInstrumentorsOptions {
  readonly registry: readonly InstrumentorSpec[];
  readonly config: ResolvedConfig<unknown>;
  readonly tracerProvider: TracerProvider;
  readonly appRoot: string;
  readonly platformName: string;
  /** Modules the app already imported, by module name (`{ openai: OpenAI }`). */
  readonly modules?: Readonly<Record<string, unknown>>;
}

/**
 * Applies a platform's instrumentors, each in isolation: a key set to `false` is skipped; a key not set is applied
 * when its package is installed; a key set to `true` whose package is missing is reported with the install line.
 * An instrumentor that throws is reported and the rest continue. Never throws.
 */
export function runInstrumentors(options: RunInstrumentorsOptions): InstrumentorReport[] {
  const log = componentLogger(options.platformName);
  const requireFromApp = appRequire(options.appRoot);
  const applied = globalState().appliedInstrumentors;
  const reports: InstrumentorReport[] = [];
  for (const spec of options.registry) {
    const setting = options.config.instrumentation[spec.key];
    const base = { key: spec.key, packageName: spec.packageName, patchedModule: false };
    if (setting === false) {
      reports.push({ ...base, status: "disabled" });
      continue;
    }
    if (applied.has(spec.packageName)) {
      reports.push({ ...base, status: "already-applied" });
      continue;
    }
    let resolved: string;
    try {
      resolved = requireFromApp.resolve(spec.packageName);
    } catch {
      const message = `instrumentation.${spec.key} needs ${spec.packageName}, which is not installed. Install with: ${installCommand(spec.packageName, options.appRoot)}`;
      if (setting === true) log.warn(message);
      else log.debug(message);
      reports.push({ ...base, status: "not-installed", message });
      continue;
    }
    let exported: unknown;
    try {
      exported = (requireFromApp(resolved) as Record<string, unknown>)[spec.exportName];
    } catch (error) {
      const message = `instrumentor ${spec.key} (${spec.packageName}) failed to load: ${messageOf(error)}`;
      log.warn(message);
      reports.push({ ...base, status: "failed", message });
      continue;
    }
    try {
      if (exported === undefined) throw new Error(`${spec.packageName} has no export named ${spec.exportName}`);
      const instance = create(spec, exported, options);
      // Modules already loaded are patched in place; otherwise the instrumentor hooks `require` for later loads.
      // (Enabling hooks for a module already in the cache only earns the instrumentation's "loaded before" warning.)
      const loaded = [options.modules?.[spec.moduleName], loadedModule(requireFromApp, spec.moduleName)].filter((module) => module !== undefined);
      let patchedModule = false;
      if (loaded.length > 0 && typeof instance.manuallyInstrument === "function") {
        for (const moduleExports of new Set(loaded)) instance.manuallyInstrument(moduleExports);
        patchedModule = true;
      } else {
        if (options.modules?.[spec.moduleName] !== undefined) {
          log.warn(`instrumentor ${spec.key} cannot patch a module handed in with modules.${spec.moduleName}; it patches only modules loaded with require after instrument().`);
        }
        instance.enable?.();
      }
      applied.add(spec.packageName);
      for (const [variable, value] of Object.entries(spec.environmentDefaults ?? {})) {
        if (process.env[variable] !== undefined) continue;
        process.env[variable] = value;
        log.info(`instrumentation.${spec.key}: set ${variable}=${value} so the client's own tracing does not repeat these spans (set it yourself to choose).`);
      }
      reports.push({ ...base, status: "instrumented", patchedModule });
      log.debug(`instrumented ${spec.key} with ${spec.packageName}`);
    } catch (error) {
      const message = `instrumentor ${spec.key} (${spec.packageName}) failed: ${messageOf(error)}; the others continue.`;
      log.warn(message);
      reports.push({ ...base, status: "failed", message });
    }
  }
  return reports;
}

function create(spec: InstrumentorSpec, exported: unknown, options: RunInstrumentorsOptions): InstrumentationLike {
  if (spec.create !== undefined) return spec.create(exported, { tracerProvider: options.tracerProvider, config: options.config });
  if (typeof exported !== "function") throw new Error(`${spec.packageName}.${spec.exportName} is not a class`);
  const Constructor = exported as new (config: Readonly<Record<string, unknown>>) => InstrumentationLike;
  // Constructed disabled (OpenTelemetry's `enabled`, OpenInference's `instrumentationConfig.enabled`): the runner
  // decides between patching loaded modules and enabling the require hooks.
  const instance = new Constructor({
    tracerProvider: options.tracerProvider,
    ...(Object.keys(options.config.privacy).length > 0 ? { traceConfig: options.config.privacy } : {}),
    enabled: false,
    instrumentationConfig: { enabled: false },
  });
  instance.setTracerProvider?.(options.tracerProvider);
  return instance;
}

/** The exports of a module the app has already loaded with `require`, if it has. */
function loadedModule(requireFromApp: NodeJS.Require, moduleName: string): unknown {
  try {
    return requireFromApp.cache[requireFromApp.resolve(moduleName)]?.exports;
  } catch {
    return undefined;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
