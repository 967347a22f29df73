import type { DiagLogger } from "@opentelemetry/api";
import type { InstrumentorModule, InstrumentorSpec } from "../contract/instrumentor";

/** The names of the modules an instrumentor patches, for the require and import hooks: `moduleName`, then `moreModules`. */
export function instrumentorModuleNames(spec: InstrumentorSpec): string[] {
  return targetsOf(spec).map((target) => target.moduleName);
}

/** The modules an instrumentor patches: its `moduleName` first, then its `moreModules`. */
export function targetsOf(spec: InstrumentorSpec): InstrumentorModule[] {
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

/** The modules handed in with `instrument({ modules })` for one module of an instrumentor, without repeats. */
export function handedInModules(spec: InstrumentorSpec, target: InstrumentorModule, modules: Readonly<Record<string, unknown>> | undefined): unknown[] {
  if (modules === undefined) return [];
  return [
    ...new Set(
      targetKeys(spec, target)
        .map((key) => modules[key])
        .filter((module) => module !== undefined && module !== null),
    ),
  ];
}

/** Warns about each key of `instrument({ modules })` that no instrumentor of the registry patches. */
export function warnAboutUnknownModules(
  options: { readonly registry: readonly InstrumentorSpec[]; readonly modules?: Readonly<Record<string, unknown>>; readonly platformName: string },
  log: DiagLogger,
): void {
  const known = new Set(options.registry.flatMap(moduleKeys));
  for (const key of Object.keys(options.modules ?? {})) {
    if (known.has(key)) continue;
    log.warn(`instrument({ modules }) got "${key}", which no instrumentor of platform "${options.platformName}" patches; use one of: ${[...known].join(", ")}.`);
  }
}

/** Warns that a module cannot be hooked where `require` cannot be (a bundle), and how to hand it in instead. */
export function warnNoRequireHooks(spec: InstrumentorSpec, target: InstrumentorModule, reason: string, log: DiagLogger): void {
  log.warn(
    `instrumentor ${spec.key} cannot hook require of ${target.moduleName} here (${reason}; a bundled app?), and the module was not handed in: ` +
      `its calls will not be traced. Hand it in with instrument({ modules: { ${identifierFor(spec, target)} } }), or keep llmops and ${target.moduleName} external to the bundle.`,
  );
}

/** How a module is named in the `instrument({ modules: { ... } })` example of a message. */
export function identifierFor(spec: InstrumentorSpec, target?: InstrumentorModule): string {
  const name = target !== undefined && target.moduleName !== spec.moduleName ? target.moduleName : (spec.moduleAliases?.[0] ?? spec.key);
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name) + ": module";
}

/** The npm package a module specifier belongs to: `@scope/name` or `name`, without a subpath. */
export function packageOf(moduleName: string): string {
  const parts = moduleName.split("/");
  return (moduleName.startsWith("@") ? parts.slice(0, 2) : parts.slice(0, 1)).join("/");
}

/** The exports of a module the app has already loaded with `require`, if it has. */
export function loadedModule(requireFromApp: NodeJS.Require, moduleName: string): unknown {
  try {
    return requireFromApp.cache[requireFromApp.resolve(moduleName)]?.exports;
  } catch {
    return undefined;
  }
}
