import { relative } from "node:path";
import type { TracerProvider } from "@opentelemetry/api";
import { appRequire } from "../discovery/discover";
import { globalState } from "../internal/global-state";
import { componentLogger } from "../internal/logger";
import { installCommand } from "../internal/package-manager";
import { redactSecrets } from "../internal/redact";
import type { InstrumentationLike, InstrumentorSpec, ResolvedConfig } from "../platform/platform";
import { esmLoaderRegistered, moduleArrived, patchOnce, pendingModules, registerRequireHooks, setModulePatcher } from "./module-hooks";

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
  /** Whether a module already loaded (handed in with `modules`, required, or imported under the loader) was patched. */
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
  /** Modules the app already imported, by module name, instrumentation key or alias (`{ openai: OpenAI }`). */
  readonly modules?: Readonly<Record<string, unknown>>;
  /** The platform's npm package, for the `--import <package>/register` hint. */
  readonly platformPackage?: string;
  /** Whether the app's entry point is an ES module; default: `process.mainModule` is unset. */
  readonly entryIsEsModule?: boolean;
  /**
   * How long an ES module app has to `require` a module before llmops says it cannot see it (default 1 s, and at exit
   * if sooner); 0 checks at once. Apps that `require` their clients right after `instrument()` are not told anything.
   */
  readonly esmCheckDelayMillis?: number;
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
  /** Instrumented, but its module is neither handed in nor loaded: an ES module import of it would not be seen. */
  const unseen: InstrumentorSpec[] = [];
  /** Modules to watch for later `require` calls: one hook for all of them, not one wrapper of `require` per module. */
  const hooked: Array<{ spec: InstrumentorSpec; handedIn: boolean }> = [];
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
    // Before the instrumentor loads: some instrumentors require their target module themselves.
    const loadedByApp = loadedModule(requireFromApp, spec.moduleName);
    const handedIn = handedInModules(spec, options.modules);
    // What the app loaded: handed in, required before now, or imported under the ESM loader before now.
    const fromApp = [...handedIn, loadedByApp, ...pendingModules(spec.moduleName)].filter((module) => module !== undefined);
    const index = reports.length;
    const fail = (message: string): void => {
      log.warn(message);
      reports[index] = { ...base, status: "failed", message };
    };
    /** Loads and builds the instrumentor; reports and returns undefined when it cannot. */
    const load = (): InstrumentationLike | undefined => {
      let exported: unknown;
      try {
        exported = (requireFromApp(resolved) as Record<string, unknown>)[spec.exportName];
      } catch (error) {
        fail(`instrumentor ${spec.key} (${spec.packageName}) failed to load: ${messageOf(error)}`);
        return undefined;
      }
      try {
        if (exported === undefined) throw new Error(`${spec.packageName} has no export named ${spec.exportName}`);
        return create(spec, exported, options);
      } catch (error) {
        fail(`instrumentor ${spec.key} (${spec.packageName}) failed: ${messageOf(error)}; the others continue.`);
        return undefined;
      }
    };
    const patcherFor = (instance: InstrumentationLike): ((moduleExports: unknown) => boolean) | undefined => {
      const manuallyInstrument = instance.manuallyInstrument?.bind(instance);
      return manuallyInstrument === undefined ? undefined : (moduleExports) => patchOnce(spec.packageName, moduleExports, manuallyInstrument);
    };
    const patchLater = (patch: (moduleExports: unknown) => boolean) => (moduleExports: unknown) => {
      try {
        patch(moduleExports);
      } catch (error) {
        fail(`instrumentor ${spec.key} (${spec.packageName}) failed to patch ${spec.moduleName} as it loaded: ${messageOf(error)}; the app runs on.`);
      }
    };

    reports.push({ ...base, status: "instrumented" });
    let patchedModule = false;
    if (fromApp.length === 0 && spec.create === undefined) {
      // Nothing to patch yet: the instrumentor itself loads when its module first does (often never, in an app that
      // has the package installed but does not use it). The require and import hooks are armed now.
      let state: "idle" | "loading" | "ready" | "failed" = "idle";
      const waiting: unknown[] = [];
      let patch: ((moduleExports: unknown) => void) | undefined;
      setModulePatcher(spec.moduleName, (moduleExports) => {
        if (state === "failed") return;
        // The instrumentor may require its own module while it loads: that copy is patched once it is ready.
        if (state === "loading") {
          waiting.push(moduleExports);
          return;
        }
        if (state === "idle") {
          state = "loading";
          const instance = load();
          const patcher = instance === undefined ? undefined : patcherFor(instance);
          if (instance !== undefined && patcher === undefined) {
            instance.enable?.();
            log.warn(`instrumentor ${spec.key} (${spec.packageName}) has no manuallyInstrument: the copy of ${spec.moduleName} that just loaded is not patched, later ones are.`);
          }
          state = patcher === undefined ? "failed" : "ready";
          patch = patcher === undefined ? undefined : patchLater(patcher);
          for (const queued of waiting.splice(0)) patch?.(queued);
        }
        patch?.(moduleExports);
      });
      hooked.push({ spec, handedIn: false });
      unseen.push(spec);
      log.debug(`armed ${spec.key}: ${spec.packageName} loads when ${spec.moduleName} does`);
    } else {
      const instance = load();
      if (instance === undefined) continue;
      const patcher = patcherFor(instance);
      try {
        if (patcher !== undefined) {
          // Every arrival goes through one guard: modules handed in, already required, imported under the ESM loader
          // before this point, and (through core's require and import hooks) every later load.
          for (const moduleExports of fromApp) patchedModule = patcher(moduleExports) || patchedModule;
          patcher(loadedModule(requireFromApp, spec.moduleName)); // also a copy the instrumentor required itself
          setModulePatcher(spec.moduleName, patchLater(patcher));
          hooked.push({ spec, handedIn: fromApp.length > 0 });
        } else {
          if (handedIn.length > 0) {
            log.warn(`instrumentor ${spec.key} cannot patch a module handed in with modules.${spec.moduleName}; it patches only modules loaded with require after instrument().`);
          }
          instance.enable?.();
        }
      } catch (error) {
        fail(`instrumentor ${spec.key} (${spec.packageName}) failed: ${messageOf(error)}; the others continue.`);
        continue;
      }
      reports[index] = { ...base, status: "instrumented", patchedModule };
      if (patcher !== undefined && fromApp.length === 0) unseen.push(spec);
      log.debug(`instrumented ${spec.key} with ${spec.packageName}`);
    }
    applied.add(spec.packageName);
    for (const [variable, value] of Object.entries(spec.environmentDefaults ?? {})) {
      if (process.env[variable] !== undefined) continue;
      process.env[variable] = value;
      log.info(`instrumentation.${spec.key}: set ${variable}=${value} so the client's own tracing does not repeat these spans (set it yourself to choose).`);
    }
  }
  if (hooked.length > 0) {
    const noRequireHooks = registerRequireHooks(hooked.map(({ spec }) => spec.moduleName));
    if (noRequireHooks !== undefined) for (const { spec, handedIn } of hooked) if (!handedIn) warnNoRequireHooks(spec, noRequireHooks, log);
  }
  warnAboutUnknownModules(options, log);
  if (unseen.length > 0 && !esmLoaderRegistered() && (options.entryIsEsModule ?? entryIsEsModule())) scheduleEsmCheck(unseen, options);
  return reports;
}

function warnNoRequireHooks(spec: InstrumentorSpec, reason: string, log: ReturnType<typeof componentLogger>): void {
  log.warn(
    `instrumentor ${spec.key} cannot hook require of ${spec.moduleName} here (${reason}; a bundled app?), and the module was not handed in: ` +
      `its calls will not be traced. Hand it in with instrument({ modules: { ${identifierFor(spec)} } }), or keep llmops and ${spec.moduleName} external to the bundle.`,
  );
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

/** The keys of `instrument({ modules })` an instrumentor answers to: its module name, its config key, its aliases. */
function moduleKeys(spec: InstrumentorSpec): string[] {
  return [spec.moduleName, spec.key, ...(spec.moduleAliases ?? [])];
}

function handedInModules(spec: InstrumentorSpec, modules: Readonly<Record<string, unknown>> | undefined): unknown[] {
  if (modules === undefined) return [];
  return [...new Set(moduleKeys(spec).map((key) => modules[key]).filter((module) => module !== undefined && module !== null))];
}

function warnAboutUnknownModules(options: RunInstrumentorsOptions, log: ReturnType<typeof componentLogger>): void {
  const known = new Set(options.registry.flatMap(moduleKeys));
  for (const key of Object.keys(options.modules ?? {})) {
    if (known.has(key)) continue;
    log.warn(`instrument({ modules }) got "${key}", which no instrumentor of platform "${options.platformName}" patches; use one of: ${[...known].join(", ")}.`);
  }
}

/** Checks after a moment (or at exit, whichever is first) which of these modules never arrived through `require`. */
function scheduleEsmCheck(unseen: readonly InstrumentorSpec[], options: RunInstrumentorsOptions): void {
  const check = (): void => {
    const stillUnseen = unseen.filter((spec) => !moduleArrived(spec.moduleName));
    if (stillUnseen.length > 0) warnAboutEsm(stillUnseen, options);
  };
  const delay = options.esmCheckDelayMillis ?? 1_000;
  if (delay <= 0) {
    check();
    return;
  }
  const timer = setTimeout(() => {
    process.removeListener("exit", atExit);
    check();
  }, delay);
  timer.unref();
  const atExit = (): void => {
    clearTimeout(timer);
    check();
  };
  process.once("exit", atExit);
}

/**
 * One message for an ES module app that called `instrument()` without the loader and without handing its modules in:
 * modules it imports with `import` cannot be reached from here. Names the two fixes.
 */
function warnAboutEsm(unseen: readonly InstrumentorSpec[], options: RunInstrumentorsOptions): void {
  const key = "esm-unpatched";
  if (globalState().warned.has(key)) return;
  globalState().warned.add(key);
  const names = unseen.map((spec) => spec.moduleName);
  const example = unseen.map((spec) => `${identifierFor(spec)}`).join(", ");
  const register = options.platformPackage === undefined ? "<platform package>/register" : `${options.platformPackage}/register`;
  componentLogger(options.platformName).warn(
    `instrument() ran in an ES module app without llmops's loader, and ${names.join(", ")} ${names.length === 1 ? "was" : "were"} installed but neither handed in nor required. ` +
      `If the app imports ${names.length === 1 ? "it" : "them"} with "import", ${names.length === 1 ? "its" : "their"} calls are not traced: an ES module cannot be patched from here. Fix it either way: ` +
      `(1) start the app with: node --import ${register} ${entryName()} (no code change), or ` +
      `(2) hand the imported modules in: instrument({ modules: { ${example} } }).`,
  );
}

function identifierFor(spec: InstrumentorSpec): string {
  const name = spec.moduleAliases?.[0] ?? spec.key;
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name) + ": module";
}

function entryName(): string {
  const entry = process.argv[1];
  return entry === undefined ? "<app entry>" : relative(process.cwd(), entry) || entry;
}

/** Whether the process was started from an ES module (CommonJS entry points set `process.mainModule`). */
function entryIsEsModule(): boolean {
  return process.argv[1] !== undefined && (process as { mainModule?: unknown }).mainModule === undefined;
}

/** The exports of a module the app has already loaded with `require`, if it has. */
function loadedModule(requireFromApp: NodeJS.Require, moduleName: string): unknown {
  try {
    return requireFromApp.cache[requireFromApp.resolve(moduleName)]?.exports;
  } catch {
    return undefined;
  }
}

/** An instrumentor's error for its report, which the app reads: scrubbed like every message that leaves llmops. */
function messageOf(error: unknown): string {
  return redactSecrets(error instanceof Error ? error.message : String(error));
}
