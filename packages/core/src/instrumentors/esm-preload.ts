import { existsSync, readFileSync } from "node:fs";
import { dirname, extname, join, sep } from "node:path";
import { pathToFileURL } from "node:url";
import type { ResolvedConfig } from "../contract/config";
import type { InstrumentorSpec } from "../contract/instrumentor";
import { appRequire } from "../internal/app-root";
import { isEsmBuild } from "../internal/build-format";
import { logger } from "../internal/logger";
import { messageOf } from "../errors/error-message";
import { pendingModules } from "./module-hooks";
import { handedInModules, loadedModule, targetsOf } from "./module-targets";

/** What {@link preloadEsmInstrumentors} needs of the `instrument()` call. */
export interface EsmPreloadOptions {
  readonly registry: readonly InstrumentorSpec[];
  readonly config: ResolvedConfig<unknown>;
  readonly appRoot: string;
  readonly modules?: Readonly<Record<string, unknown>>;
  /**
   * The ES module loader is registered and the app's entry is an ES module that has not run yet (the `register`
   * preload): its clients will arrive as ES modules, so their instrumentors are loaded as ES modules now.
   */
  readonly esmAppToCome?: boolean;
}

/** Whether a value is an ES module namespace object (what `import * as m` and `import()` give). */
export function isModuleNamespace(value: unknown): boolean {
  return typeof value === "object" && value !== null && Object.prototype.toString.call(value) === "[object Module]";
}

/**
 * The ES module builds of the instrumentors whose client the app uses as an ES module, by instrumentor package, loaded
 * with `import()`. An instrumentor's CommonJS build `require`s the CommonJS build of its client (and of the
 * OpenTelemetry packages) next to the ES module copy the app imported: a second copy of each, more start-up time and
 * memory, and `instanceof` checks against the copy the app does not use. Its ES module build imports the copy the app
 * has. Instrumentors of clients loaded with `require` (or not loaded) are left to the CommonJS path. Never throws: an
 * instrumentor that fails here is loaded the usual way, which reports the failure.
 */
export async function preloadEsmInstrumentors(options: EsmPreloadOptions): Promise<ReadonlyMap<string, Record<string, unknown>>> {
  const loaded = new Map<string, Record<string, unknown>>();
  // The CommonJS build of core has no import(): an app that loaded it uses CommonJS builds throughout.
  if (!isEsmBuild()) return loaded;
  let requireFromApp: NodeJS.Require | undefined;
  for (const spec of options.registry) {
    if (options.config.instrumentation[spec.key] === false || spec.create !== undefined) continue;
    const targets = targetsOf(spec);
    requireFromApp ??= appRequire(options.appRoot);
    const fromRequire = requireFromApp;
    const asEsm = targets.some((target) => {
      if (pendingModules(target.moduleName).some(isModuleNamespace)) return true;
      const handedIn = handedInModules(spec, target, options.modules);
      if (handedIn.length === 0) return false;
      const required = loadedModule(fromRequire, target.moduleName);
      // A namespace is an ES module; a client class handed in that is not the copy `require` loaded is the ES module's.
      return handedIn.some((module) => isModuleNamespace(module) || required === undefined || !sameModule(module, required));
    });
    if (!asEsm && !(options.esmAppToCome === true && targets.some((target) => resolvable(requireFromApp as NodeJS.Require, target.moduleName)))) continue;
    const entry = esmEntryOf(requireFromApp, spec.packageName);
    if (entry === undefined) continue;
    try {
      // One at a time: concurrent imports of shared code through a loader hook trip Node 22 (see assemble.ts).
      loaded.set(spec.packageName, (await import(pathToFileURL(entry).href)) as Record<string, unknown>);
    } catch (error) {
      logger.debug(`${spec.packageName}: its ES module build did not load (${messageOf(error)}); loading it with require.`);
    }
  }
  return loaded;
}

/** Whether a handed-in module is the CommonJS copy (its exports, or the class they carry as their default). */
function sameModule(module: unknown, required: unknown): boolean {
  return module === required || module === (required as { default?: unknown } | null)?.default || (module as { default?: unknown } | null)?.default === required;
}

function resolvable(requireFromApp: NodeJS.Require, moduleName: string): boolean {
  try {
    requireFromApp.resolve(moduleName);
    return true;
  } catch {
    return false;
  }
}

/** The file a package's `import` condition names for its root (or its `module` field); undefined when it has none. */
function esmEntryOf(requireFromApp: NodeJS.Require, packageName: string): string | undefined {
  let directory: string;
  try {
    directory = dirname(requireFromApp.resolve(packageName));
  } catch {
    return undefined;
  }
  for (;;) {
    const manifestPath = join(directory, "package.json");
    if (existsSync(manifestPath)) {
      try {
        if ((JSON.parse(readFileSync(manifestPath, "utf8")) as { name?: string }).name === packageName) return esmEntryInPackage(directory);
      } catch {
        return undefined;
      }
    }
    const parent = dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}

/**
 * The file the package in `directory` names for `import` of its root (its `exports` `import` condition, else its
 * `module` field), inside that folder; undefined when it names none.
 */
export function esmEntryInPackage(directory: string): string | undefined {
  try {
    const manifest = JSON.parse(readFileSync(join(directory, "package.json"), "utf8")) as { exports?: unknown; module?: string };
    const entry = importCondition(manifest.exports) ?? manifest.module;
    if (entry === undefined) return undefined;
    const file = join(directory, entry);
    return file.startsWith(directory + sep) ? file : undefined;
  } catch {
    return undefined;
  }
}

function importCondition(exports: unknown): string | undefined {
  const root = typeof exports === "object" && exports !== null && "." in exports ? (exports as Record<string, unknown>)["."] : exports;
  if (typeof root !== "object" || root === null) return undefined;
  const conditions = root as Record<string, unknown>;
  const chosen = conditions.import ?? conditions.node;
  if (typeof chosen === "string") return chosen;
  if (typeof chosen === "object" && chosen !== null) {
    const nested = chosen as Record<string, unknown>;
    const value = nested.default ?? nested.node;
    return typeof value === "string" ? value : undefined;
  }
  return undefined;
}

/** Whether the process's entry file is an ES module, read from its extension and its package's `type`. */
export function entryFileIsEsModule(entry: string | undefined = process.argv[1]): boolean {
  if (entry === undefined) return false;
  const extension = extname(entry);
  if (extension === ".mjs" || extension === ".mts") return true;
  if (extension === ".cjs" || extension === ".cts") return false;
  let directory = dirname(entry);
  for (;;) {
    const manifestPath = join(directory, "package.json");
    if (existsSync(manifestPath)) {
      try {
        return (JSON.parse(readFileSync(manifestPath, "utf8")) as { type?: string }).type === "module";
      } catch {
        return false;
      }
    }
    const parent = dirname(directory);
    if (parent === directory) return false;
    directory = parent;
  }
}
