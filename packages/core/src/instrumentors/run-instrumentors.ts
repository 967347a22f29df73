import type { DiagLogger, TracerProvider } from "@opentelemetry/api";
import type { ResolvedConfig } from "../contract/config";
import type { InstrumentationLike, InstrumentorModule, InstrumentorSpec } from "../contract/instrumentor";
import { messageOf } from "../errors/error-message";
import { addCommand } from "../helpers/install-command";
import { redactSecrets } from "../helpers/redact";
import { appRequire } from "../internal/app-root";
import { globalState } from "../internal/global-state";
import { componentLogger } from "../internal/logger";
import { applyIntegration } from "./apply-integration";
import { createInstrumentor } from "./create-instrumentor";
import { entryIsEsModule, scheduleEsmCheck } from "./esm-advice";
import { loadOnArrival } from "./load-on-arrival";
import type { ModulePatch } from "./load-on-arrival";
import { esmLoaderRegistered, patchOnce, pendingModules, registerRequireHooks, setModulePatcher } from "./module-hooks";
import { handedInModules, loadedModule, targetsOf, warnAboutUnknownModules, warnNoRequireHooks } from "./module-targets";
import { ReportLine } from "./report";
import type { InstrumentorReport } from "./report";

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
  /** Instrumentor packages already loaded as ES modules (`preloadEsmInstrumentors`), by package name: used instead of `require`. */
  readonly esmInstrumentors?: ReadonlyMap<string, Record<string, unknown>>;
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
  // Looked up once: every instrumentor whose package is missing names the same package manager.
  let adds: string | undefined;
  const installLine = (packageName: string): string => `${(adds ??= addCommand(options.appRoot))} ${packageName}`;
  for (const spec of options.registry) {
    const setting = options.config.instrumentation[spec.key];
    const line = new ReportLine(reports, spec, log);
    if (setting === false) {
      line.set("disabled");
      continue;
    }
    if (spec.spanProcessor !== undefined) {
      // Its processor sits in the provider already (see provider-context): there is nothing to load or patch.
      reportSpanProcessor(spec, setting, line, () => requireFromApp.resolve(spec.packageName), installLine, log);
      continue;
    }
    if (applied.has(spec.packageName)) {
      line.set("already-applied");
      continue;
    }
    let resolved: string;
    try {
      resolved = requireFromApp.resolve(spec.packageName);
    } catch {
      const message = `instrumentation.${spec.key} needs ${spec.packageName}, which is not installed. Install with: ${installLine(spec.packageName)}`;
      if (setting === true) log.warn(message);
      else log.debug(message);
      line.set("not-installed", message);
      continue;
    }
    if (spec.integration !== undefined) {
      applyIntegration(spec, spec.integration, { line, log, resolved, tracerProvider: options.tracerProvider, config: options.config });
      applied.add(spec.packageName);
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
    /** Loads and builds the instrumentor; reports and returns undefined when it cannot. */
    const load = (): InstrumentationLike | undefined => {
      let exported: unknown;
      try {
        exported = (options.esmInstrumentors?.get(spec.packageName) ?? (requireFromApp(resolved) as Record<string, unknown>))[spec.exportName];
      } catch (error) {
        line.fail(`instrumentor ${spec.key} (${spec.packageName}) failed to load: ${redactSecrets(messageOf(error))}`);
        return undefined;
      }
      try {
        if (exported === undefined) throw new Error(`${spec.packageName} has no export named ${spec.exportName}`);
        return createInstrumentor(spec, exported, { tracerProvider: options.tracerProvider, config: options.config });
      } catch (error) {
        line.fail(`instrumentor ${spec.key} (${spec.packageName}) failed: ${redactSecrets(messageOf(error))}; the others continue.`);
        return undefined;
      }
    };
    /** One patcher per module: hands the module to manuallyInstrument (under its key, if any) once, and observes. */
    const patchesFor = (instance: InstrumentationLike): ModulePatch[] | undefined => {
      const manuallyInstrument = instance.manuallyInstrument?.bind(instance);
      if (manuallyInstrument === undefined) return undefined;
      return targets.map((target) => (moduleExports) => {
        const argumentFor = (exports: unknown): unknown => (target.manuallyInstrumentKey === undefined ? exports : { [target.manuallyInstrumentKey]: exports });
        line.observe(
          target,
          patchOnce(spec.packageName, moduleExports, (exports) => manuallyInstrument(argumentFor(exports))),
        );
      });
    };
    const contained =
      (target: InstrumentorModule, patch: ModulePatch): ModulePatch =>
      (moduleExports) => {
        try {
          patch(moduleExports);
        } catch (error) {
          line.fail(`instrumentor ${spec.key} (${spec.packageName}) failed to patch ${target.moduleName} as it loaded: ${redactSecrets(messageOf(error))}; the app runs on.`);
        }
      };

    if (nothingLoaded && spec.create === undefined) {
      line.set("waiting", `${spec.packageName} loads and patches ${targets.map((target) => target.moduleName).join(" or ")} ${whenLoaded()}`);
      loadOnArrival({
        targets,
        load,
        patchesFor,
        contained,
        cannotPatch: (instance, target) => {
          instance.enable?.();
          const message = `instrumentor ${spec.key} (${spec.packageName}) has no manuallyInstrument: the copy of ${target.moduleName} that just loaded is not patched; its own require hooks, now on, may patch later ones.`;
          log.warn(message);
          line.set("enabled", message);
        },
      });
      for (const target of targets) hooked.push({ spec, target, handedIn: false });
      unseen.push(spec);
      log.debug(`armed ${spec.key}: ${spec.packageName} loads when ${targets.map((target) => target.moduleName).join(" or ")} does`);
    } else {
      line.set("waiting");
      const instance = load();
      if (instance === undefined) continue;
      const patchers = patchesFor(instance);
      try {
        if (patchers !== undefined) {
          // Every arrival goes through one guard: modules handed in, already required, imported under the ESM loader
          // before this point, and (through core's require and import hooks) every later load.
          targets.forEach((target, targetIndex) => {
            const patch = patchers[targetIndex];
            if (patch === undefined) return;
            for (const moduleExports of fromApp[targetIndex] ?? []) patch(moduleExports);
            patch(loadedModule(requireFromApp, target.moduleName)); // also a copy the instrumentor required itself
            setModulePatcher(target.moduleName, contained(target, patch));
            hooked.push({ spec, target, handedIn: (fromApp[targetIndex] ?? []).length > 0 });
          });
        } else {
          if (handedIn) {
            log.warn(`instrumentor ${spec.key} cannot patch a module handed in with modules.${spec.moduleName}; it patches only modules loaded with require after instrument().`);
          }
          instance.enable?.();
          line.set(
            "enabled",
            `${spec.packageName} does not patch through llmops (no manuallyInstrument): it works by its own hooks or as a span processor, and llmops cannot see what it does; check its spans.`,
          );
        }
      } catch (error) {
        line.fail(`instrumentor ${spec.key} (${spec.packageName}) failed: ${redactSecrets(messageOf(error))}; the others continue.`);
        continue;
      }
      if (line.current?.status === "waiting") {
        line.set("waiting", `${spec.packageName} patches ${targets.map((target) => target.moduleName).join(" or ")} ${whenLoaded()}`);
      }
      if (patchers !== undefined && nothingLoaded) unseen.push(spec);
      log.debug(`applied ${spec.key} with ${spec.packageName}: ${line.current?.status ?? "unknown"}`);
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

/** The report line of an entry that converts a library's own spans: `enabled` when the library is installed. */
function reportSpanProcessor(spec: InstrumentorSpec, setting: boolean | undefined, line: ReportLine, resolve: () => string, installLine: (packageName: string) => string, log: DiagLogger): void {
  try {
    resolve();
  } catch {
    const message = `instrumentation.${spec.key} needs ${spec.packageName}, which is not installed. Install with: ${installLine(spec.packageName)}`;
    if (setting === true) log.warn(message);
    else log.debug(message);
    line.set("not-installed", message);
    return;
  }
  line.set("enabled", `${spec.packageName} makes its own spans; a span processor converts them to OpenInference (they reach llmops when its provider is the global one).`);
}

/**
 * When a waiting instrumentor patches its module: without llmops's ES module loader only a `require` is seen, so the
 * report says so rather than promise a patch an `import` of the module will never get.
 */
function whenLoaded(): string {
  return esmLoaderRegistered()
    ? "when the app loads it."
    : 'when the app requires it (an "import" of it is seen only under --import <platform>/register, or when handed in with instrument({ modules })).';
}
