import { relative } from "node:path";
import type { TracerProvider } from "@opentelemetry/api";
import { appRequire } from "../internal/app-root";
import { globalState } from "../internal/global-state";
import { componentLogger } from "../internal/logger";
import { installCommand } from "../helpers/install-command";
import { redactSecrets } from "../helpers/redact";
import type { InstrumentationLike, InstrumentorModule, InstrumentorSpec } from "../contract/instrumentor";
import type { ResolvedConfig } from "../contract/config";
import { esmLoaderRegistered, moduleArrived, patchOnce, pendingModules, registerRequireHooks, setModulePatcher } from "./module-hooks";
import type { PatchOutcome } from "./module-hooks";
import { messageOf } from "../errors/error-message";

/**
 * What happened to one instrumentor of the registry. `instrumented` means a patch was seen: a function reachable from
 * the module's exports was replaced by `manuallyInstrument`. `waiting`: armed, its module has not loaded yet (the
 * report changes when it does). `patched-nothing`: it ran on the module and replaced nothing. `enabled`: an
 * instrumentor with only its own require hooks, whose patches llmops cannot see.
 */
export type InstrumentorStatus = "instrumented" | "waiting" | "patched-nothing" | "enabled" | "disabled" | "not-installed" | "failed" | "already-applied";

/** One line of the instrumentation report. */
export interface InstrumentorReport {
  /** The `instrumentation:` key. */
  readonly key: string;
  /** The instrumentor package. */
  readonly packageName: string;
  /** What happened; `waiting` turns into `instrumented` or `patched-nothing` in place when the module loads. */
  readonly status: InstrumentorStatus;
  /** Whether a patch of a loaded module (handed in with `modules`, required, or imported) was seen. */
  readonly patchedModule: boolean;
  /** Why, for `not-installed` (with the install line), `failed`, `patched-nothing`, `waiting` and `enabled`. */
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
  const hooked: Array<{ spec: InstrumentorSpec; target: InstrumentorModule; handedIn: boolean }> = [];
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
    const targets = targetsOf(spec);
    // Before the instrumentor loads: some instrumentors require their target module themselves.
    // What the app loaded, per module: handed in, required before now, or imported under the ESM loader before now.
    const fromApp = targets.map((target) =>
      [...handedInModules(spec, target, options.modules), loadedModule(requireFromApp, target.moduleName), ...pendingModules(target.moduleName)].filter((module) => module !== undefined),
    );
    const handedIn = targets.some((target) => handedInModules(spec, target, options.modules).length > 0);
    const nothingLoaded = fromApp.every((modules) => modules.length === 0);
    const index = reports.length;
    const fail = (message: string): void => {
      log.warn(message);
      reports[index] = { ...base, status: "failed", message };
    };
    /** Every patch the instrumentor made, as seen on the module (see patchOnce): the report follows what was seen. */
    const observe = (target: InstrumentorModule, outcome: PatchOutcome): void => {
      if (!outcome.ran) return;
      const current = reports[index];
      if (current === undefined || current.status === "failed") return;
      if (outcome.changed.length > 0) {
        if (current.status !== "instrumented") log.debug(`instrumented ${spec.key}: ${spec.packageName} patched ${target.moduleName} (${outcome.changed.slice(0, 3).join(", ")})`);
        reports[index] = { ...base, status: "instrumented", patchedModule: true };
        return;
      }
      if (current.status === "instrumented") return;
      const message =
        `instrumentor ${spec.key} (${spec.packageName}) loaded but patched nothing in ${target.moduleName}: its manuallyInstrument ran and replaced no function ` +
        `of the module, so its calls are not traced. The installed ${target.moduleName} may be a version the instrumentor does not support, or another tracer patched it first; ` +
        `compare \`npm ls ${packageOf(target.moduleName)} ${spec.packageName}\` with the instrumentor's supported versions.`;
      if (current.status !== "patched-nothing") log.warn(message);
      reports[index] = { ...base, status: "patched-nothing", message };
    };
    /** Loads and builds the instrumentor; reports and returns undefined when it cannot. */
    const load = (): InstrumentationLike | undefined => {
      let exported: unknown;
      try {
        exported = (requireFromApp(resolved) as Record<string, unknown>)[spec.exportName];
      } catch (error) {
        fail(`instrumentor ${spec.key} (${spec.packageName}) failed to load: ${redactSecrets(messageOf(error))}`);
        return undefined;
      }
      try {
        if (exported === undefined) throw new Error(`${spec.packageName} has no export named ${spec.exportName}`);
        return create(spec, exported, options);
      } catch (error) {
        fail(`instrumentor ${spec.key} (${spec.packageName}) failed: ${redactSecrets(messageOf(error))}; the others continue.`);
        return undefined;
      }
    };
    /** One patcher per module: hands the module to manuallyInstrument (under its key, if any) once, and observes. */
    const patchersFor = (instance: InstrumentationLike): Array<(moduleExports: unknown) => void> | undefined => {
      const manuallyInstrument = instance.manuallyInstrument?.bind(instance);
      if (manuallyInstrument === undefined) return undefined;
      return targets.map((target) => (moduleExports) => {
        const argumentFor = (exports: unknown): unknown => (target.manuallyInstrumentKey === undefined ? exports : { [target.manuallyInstrumentKey]: exports });
        observe(target, patchOnce(spec.packageName, moduleExports, (exports) => manuallyInstrument(argumentFor(exports))));
      });
    };
    const patchLater = (target: InstrumentorModule, patch: (moduleExports: unknown) => void) => (moduleExports: unknown) => {
      try {
        patch(moduleExports);
      } catch (error) {
        fail(`instrumentor ${spec.key} (${spec.packageName}) failed to patch ${target.moduleName} as it loaded: ${redactSecrets(messageOf(error))}; the app runs on.`);
      }
    };

    if (nothingLoaded && spec.create === undefined) {
      reports.push({ ...base, status: "waiting", message: `${spec.packageName} loads and patches ${targets.map((target) => target.moduleName).join(" or ")} when the app loads it.` });
      // Nothing to patch yet: the instrumentor itself loads when one of its modules first does (often never, in an app
      // that has the package installed but does not use it). The require and import hooks are armed now.
      let state: "idle" | "loading" | "ready" | "failed" = "idle";
      const waiting: Array<{ target: number; moduleExports: unknown }> = [];
      let patches: Array<(moduleExports: unknown) => void> | undefined;
      targets.forEach((target, targetIndex) => {
        setModulePatcher(target.moduleName, (moduleExports) => {
          if (state === "failed") return;
          // The instrumentor may require its own module while it loads: that copy is patched once it is ready.
          if (state === "loading") {
            waiting.push({ target: targetIndex, moduleExports });
            return;
          }
          if (state === "idle") {
            state = "loading";
            const instance = load();
            const patchers = instance === undefined ? undefined : patchersFor(instance);
            if (instance !== undefined && patchers === undefined) {
              instance.enable?.();
              const message = `instrumentor ${spec.key} (${spec.packageName}) has no manuallyInstrument: the copy of ${target.moduleName} that just loaded is not patched; its own require hooks, now on, may patch later ones.`;
              log.warn(message);
              reports[index] = { ...base, status: "enabled", message };
            }
            state = patchers === undefined ? "failed" : "ready";
            patches = patchers?.map((patch, position) => patchLater(targets[position] ?? target, patch));
            for (const queued of waiting.splice(0)) patches?.[queued.target]?.(queued.moduleExports);
          }
          patches?.[targetIndex]?.(moduleExports);
        });
        hooked.push({ spec, target, handedIn: false });
      });
      unseen.push(spec);
      log.debug(`armed ${spec.key}: ${spec.packageName} loads when ${targets.map((target) => target.moduleName).join(" or ")} does`);
    } else {
      reports.push({ ...base, status: "waiting" });
      const instance = load();
      if (instance === undefined) continue;
      const patchers = patchersFor(instance);
      try {
        if (patchers !== undefined) {
          // Every arrival goes through one guard: modules handed in, already required, imported under the ESM loader
          // before this point, and (through core's require and import hooks) every later load.
          targets.forEach((target, targetIndex) => {
            const patch = patchers[targetIndex];
            if (patch === undefined) return;
            for (const moduleExports of fromApp[targetIndex] ?? []) patch(moduleExports);
            patch(loadedModule(requireFromApp, target.moduleName)); // also a copy the instrumentor required itself
            setModulePatcher(target.moduleName, patchLater(target, patch));
            hooked.push({ spec, target, handedIn: (fromApp[targetIndex] ?? []).length > 0 });
          });
        } else {
          if (handedIn) {
            log.warn(`instrumentor ${spec.key} cannot patch a module handed in with modules.${spec.moduleName}; it patches only modules loaded with require after instrument().`);
          }
          instance.enable?.();
          reports[index] = {
            ...base,
            status: "enabled",
            message: `${spec.packageName} does not patch through llmops (no manuallyInstrument): it works by its own hooks or as a span processor, and llmops cannot see what it does; check its spans.`,
          };
        }
      } catch (error) {
        fail(`instrumentor ${spec.key} (${spec.packageName}) failed: ${redactSecrets(messageOf(error))}; the others continue.`);
        continue;
      }
      if (reports[index]?.status === "waiting") {
        reports[index] = { ...base, status: "waiting", message: `${spec.packageName} patches ${targets.map((target) => target.moduleName).join(" or ")} when the app loads it.` };
      }
      if (patchers !== undefined && nothingLoaded) unseen.push(spec);
      log.debug(`applied ${spec.key} with ${spec.packageName}: ${reports[index]?.status ?? "unknown"}`);
    }
    applied.add(spec.packageName);
    for (const [variable, value] of Object.entries(spec.environmentDefaults ?? {})) {
      if (process.env[variable] !== undefined) continue;
      process.env[variable] = value;
      log.info(`instrumentation.${spec.key}: set ${variable}=${value} so the client's own tracing does not repeat these spans (set it yourself to choose).`);
    }
  }
  if (hooked.length > 0) {
    const noRequireHooks = registerRequireHooks(hooked.map(({ target }) => target.moduleName));
    if (noRequireHooks !== undefined) for (const { spec, target, handedIn } of hooked) if (!handedIn) warnNoRequireHooks(spec, target, noRequireHooks, log);
  }
  warnAboutUnknownModules(options, log);
  if (unseen.length > 0 && !esmLoaderRegistered() && (options.entryIsEsModule ?? entryIsEsModule())) scheduleEsmCheck(unseen, options);
  return reports;
}

function warnNoRequireHooks(spec: InstrumentorSpec, target: InstrumentorModule, reason: string, log: ReturnType<typeof componentLogger>): void {
  log.warn(
    `instrumentor ${spec.key} cannot hook require of ${target.moduleName} here (${reason}; a bundled app?), and the module was not handed in: ` +
      `its calls will not be traced. Hand it in with instrument({ modules: { ${identifierFor(spec, target)} } }), or keep llmops and ${target.moduleName} external to the bundle.`,
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

/** The names of the modules an instrumentor patches, for the require and import hooks: `moduleName`, then `moreModules`. */
export function instrumentorModuleNames(spec: InstrumentorSpec): string[] {
  return targetsOf(spec).map((target) => target.moduleName);
}

/** The modules an instrumentor patches: its `moduleName` first, then its `moreModules`. */
function targetsOf(spec: InstrumentorSpec): InstrumentorModule[] {
  return [{ moduleName: spec.moduleName, ...(spec.manuallyInstrumentKey === undefined ? {} : { manuallyInstrumentKey: spec.manuallyInstrumentKey }) }, ...(spec.moreModules ?? [])];
}

/** The keys of `instrument({ modules })` one module answers to: its name; for the first, the config key and aliases too. */
function targetKeys(spec: InstrumentorSpec, target: InstrumentorModule): string[] {
  return target.moduleName === spec.moduleName ? [spec.moduleName, spec.key, ...(spec.moduleAliases ?? [])] : [target.moduleName];
}

/** The keys of `instrument({ modules })` an instrumentor answers to. */
function moduleKeys(spec: InstrumentorSpec): string[] {
  return targetsOf(spec).flatMap((target) => targetKeys(spec, target));
}

function handedInModules(spec: InstrumentorSpec, target: InstrumentorModule, modules: Readonly<Record<string, unknown>> | undefined): unknown[] {
  if (modules === undefined) return [];
  return [...new Set(targetKeys(spec, target).map((key) => modules[key]).filter((module) => module !== undefined && module !== null))];
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
    const stillUnseen = unseen.filter((spec) => !targetsOf(spec).some((target) => moduleArrived(target.moduleName)));
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

function identifierFor(spec: InstrumentorSpec, target?: InstrumentorModule): string {
  const name = target !== undefined && target.moduleName !== spec.moduleName ? target.moduleName : (spec.moduleAliases?.[0] ?? spec.key);
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name) + ": module";
}

/** The npm package a module specifier belongs to: `@scope/name` or `name`, without a subpath. */
function packageOf(moduleName: string): string {
  const parts = moduleName.split("/");
  return (moduleName.startsWith("@") ? parts.slice(0, 2) : parts.slice(0, 1)).join("/");
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

