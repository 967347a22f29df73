import * as nodeModule from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import { globalState } from "../internal/global-state";
import type { ModuleHookState } from "../internal/global-state";
import { logger } from "../internal/logger";
import { changedFunctions, snapshotFunctions } from "./patch-observer";
import { entryPatterns, identifyModule } from "./module-identity";
import { messageOf, firstLineOf } from "../errors/error-message";

/**
 * Process-wide interception of the instrumentors' target modules, for both module systems:
 *
 * - CommonJS: one `require-in-the-middle` hook over the target names, installed when an instrumentor is applied;
 * - ES modules: `import-in-the-middle`'s loader, registered by the preload entry points (`--import <platform>/register`)
 *   — in-thread with `module.registerHooks` where Node supports it (≥ 22.22.3, ≥ 24.11.1), else on Node's loader thread
 *   with `module.register` — limited to the target names so no other module pays for the interception, plus its `Hook`
 *   on this thread to receive each target's namespace.
 *
 * Both hand the loaded exports to the patcher set with {@link setModulePatcher}; a module loaded before its
 * instrumentor is ready waits in a queue. Every patch goes through one guard, so a module is patched once whichever way it arrives (CJS and ESM of
 * one file, a module handed in as well, a second `instrument()`).
 */

/** Patches one module's exports (a CommonJS `module.exports` or an ES module namespace). */
export type ModulePatcher = (moduleExports: unknown) => void;

/** `require` from core's own location: the interception libraries are core's dependencies. */
function requireHere(): NodeJS.Require {
  return nodeModule.createRequire(__filename);
}

function hookState(): ModuleHookState {
  const state = globalState();
  state.moduleHooks ??= {
    esmLoader: false,
    requireUnavailable: undefined,
    arrived: new Set(),
    esmHooked: new Set(),
    requireHooked: new Set(),
    patchers: new Map(),
    pending: new Map(),
    patched: new Map(),
    unhooks: [],
  };
  return state.moduleHooks;
}

/** Whether llmops's ES module loader is registered in this process (by a `register` entry point). */
export function esmLoaderRegistered(): boolean {
  return hookState().esmLoader;
}

/** How the ES module loader runs, once registered: in-thread (`module.registerHooks`) or on Node's loader thread. */
export function esmLoaderKind(): "in-thread" | "loader-thread" | undefined {
  return hookState().esmLoaderKind;
}

/**
 * Registers `import-in-the-middle`'s loader for these module names (once per process; later calls add nothing to the
 * loader, which cannot be told about new names without a message channel) and hooks them on this thread.
 * The loader intercepts a module imported by one of the names, or whose file is one of the entry points of the
 * package the app resolves from `appRoot` (wherever a copy of it sits, under whatever name a bundler imports it); on
 * this thread each intercepted module is recognised by its specifier or by the package that holds its file
 * (`module-identity.ts`), so a bundler's alias of `openai` is patched as `openai`.
 * Returns false, with a debug line, where Node has no `module.register` (before 20.6).
 */
export function registerEsmHooks(moduleNames: readonly string[], appRoot?: string): boolean {
  const hooks = hookState();
  const names = moduleNames.filter((name) => !hooks.esmHooked.has(name));
  if (names.length === 0) return hooks.esmLoader;
  const register = (nodeModule as { register?: (specifier: string, options: { parentURL: string; data: unknown }) => void }).register;
  if (typeof register !== "function") {
    logger.debug("module.register is not available in this Node.js version: ES module imports are not intercepted.");
    return false;
  }
  const here = requireHere();
  for (const name of names) hooks.esmHooked.add(name);
  if (!hooks.esmLoader) {
    const include = [...names, ...(appRoot === undefined ? [] : names.flatMap((name) => entryPatterns(name, appRoot)))];
    if (registerInThread(here, include)) {
      hooks.esmLoaderKind = "in-thread";
    } else {
      const loader = pathToFileURL(here.resolve("import-in-the-middle/hook.mjs")).href;
      register(loader, { parentURL: pathToFileURL(__filename).href, data: { include } });
      hooks.esmLoaderKind = "loader-thread";
    }
    hooks.esmLoader = true;
  }
  if (hooks.esmListener === undefined) {
    const iitm = here("import-in-the-middle") as { addHook(hook: ImportHook): void; removeHook(hook: ImportHook): void };
    const onImport: ImportHook = (url, exported, specifier, format) => {
      const name = importedTarget(url, specifier, hooks.esmHooked);
      if (name === undefined) return;
      // A CommonJS module imported from ESM arrives as a namespace whose default export is its `module.exports`,
      // the object the require path patches: the guard must see the same object.
      const moduleExports = format === "commonjs" && isObject(exported.default) ? exported.default : exported;
      arrived(name, moduleExports);
    };
    iitm.addHook(onImport);
    hooks.esmListener = onImport;
    hooks.unhooks.push(() => iitm.removeHook(onImport));
  }
  return true;
}

/** What import-in-the-middle hands a hook added with `addHook`: the module's URL, its namespace, how it was imported. */
type ImportHook = (url: string, exported: Record<string, unknown>, specifier?: string, format?: string) => void;

/** The watched module an intercepted import is: by its specifier, else by its file (a bundler's alias, a deep path). */
function importedTarget(url: string, specifier: string | undefined, watched: ReadonlySet<string>): string | undefined {
  if (specifier !== undefined && watched.has(specifier)) return specifier;
  if (!url.startsWith("file:")) return undefined;
  let file: string;
  try {
    file = fileURLToPath(url);
  } catch {
    return undefined;
  }
  return identifyModule(file, watched);
}

type ResolveResult = { url: string; format?: string | null; shortCircuit?: boolean };
type ResolveHook = (specifier: string, context: object, nextResolve: (specifier: string, context?: object) => ResolveResult) => ResolveResult;

/**
 * Built-in modules are resolved here, in front of import-in-the-middle, which never wraps them: its resolve gives a
 * module resolved with no parent and no file extension the CommonJS format, and Node 24 resolves the built-ins that
 * `node -e` and `node -p` load that way (no parent), so Node then read a file named after the built-in and the process
 * died before the app ran.
 */
const answerBuiltins: ResolveHook = (specifier, context, nextResolve) => {
  if (!nodeModule.isBuiltin(specifier)) return nextResolve(specifier, context);
  return { url: specifier.startsWith("node:") ? specifier : `node:${specifier}`, format: "builtin", shortCircuit: true };
};

/**
 * Registers import-in-the-middle's synchronous hooks (`module.registerHooks`) on this thread, where Node runs them
 * correctly: no loader thread to start (on the benchmark machine ≈ 18 ms against ≈ 65 ms for `module.register`) and no
 * message round trip for every module the app imports afterwards. Returns false, for the loader thread, where Node has
 * no `registerHooks` (Node 20) or import-in-the-middle says its version predates the fix it needs.
 */
function registerInThread(here: NodeJS.Require, include: readonly (string | RegExp)[]): boolean {
  // Checked first: on Node 20, require() of the .mjs files below would be refused or warned about.
  if (typeof (nodeModule as { registerHooks?: unknown }).registerHooks !== "function") return false;
  try {
    const { supportsSyncHooks } = here("import-in-the-middle/supports-sync-hooks.mjs") as { supportsSyncHooks(): boolean };
    if (!supportsSyncHooks()) return false;
    const { register } = here("import-in-the-middle/register-hooks.mjs") as { register(options: { include: Array<string | RegExp> }): void };
    register({ include: [...include] });
    // Registered after import-in-the-middle's, so it runs first (the last hooks registered run first).
    (nodeModule as unknown as { registerHooks(hooks: { resolve: ResolveHook }): unknown }).registerHooks({ resolve: answerBuiltins });
    return true;
  } catch (error) {
    logger.debug(`ES module hooks: in-thread registration failed (${messageOf(error)}); using the loader thread.`);
    return false;
  }
}

/**
 * Hooks `require` of these module names (once per name per process). Returns why it could not, or undefined: in a
 * bundle, core's own dependencies are not beside it (and there is no later `require` to hook anyway).
 */
export function registerRequireHooks(moduleNames: readonly string[]): string | undefined {
  const hooks = hookState();
  const names = moduleNames.filter((name) => !hooks.requireHooked.has(name));
  if (names.length === 0) return hooks.requireUnavailable;
  let Hook: new (modules: string[], options: object, hook: (exports: unknown, name: string) => unknown) => { unhook(): void };
  try {
    ({ Hook } = requireHere()("require-in-the-middle") as { Hook: typeof Hook });
  } catch (error) {
    hooks.requireUnavailable = firstLineOf(error);
    for (const name of names) hooks.requireHooked.add(name);
    return hooks.requireUnavailable;
  }
  const hook = new Hook([...names], {}, (moduleExports, name) => {
    arrived(name, moduleExports);
    return moduleExports;
  });
  hooks.unhooks.push(() => hook.unhook());
  for (const name of names) hooks.requireHooked.add(name);
  return undefined;
}

/**
 * Sets the patcher of a module name and hands it every module of that name that arrived before it was ready.
 * Later arrivals (require or import) go straight to it.
 */
export function setModulePatcher(moduleName: string, patcher: ModulePatcher): void {
  const hooks = hookState();
  hooks.patchers.set(moduleName, patcher);
  const waiting = hooks.pending.get(moduleName) ?? [];
  hooks.pending.delete(moduleName);
  for (const moduleExports of waiting) patcher(moduleExports);
}

/** Whether a module of this name has arrived through the require or import hooks. */
export function moduleArrived(moduleName: string): boolean {
  return hookState().arrived.has(moduleName);
}

/** Modules of this name that arrived through the hooks and wait for their instrumentor. */
export function pendingModules(moduleName: string): readonly unknown[] {
  return hookState().pending.get(moduleName) ?? [];
}

/** What {@link patchOnce} saw: skipped (patched before), or ran, with the functions it replaced. */
export type PatchOutcome = { readonly ran: false } | { readonly ran: true; readonly changed: readonly string[] };

/**
 * Runs `patch` unless this instrumentor package already patched these exports (or the client class they carry as
 * their default export), and reports which functions reachable from the exports it replaced: a patch is only
 * counted when it is seen, not when `patch` returns.
 */
export function patchOnce(packageName: string, moduleExports: unknown, patch: (moduleExports: unknown) => void): PatchOutcome {
  if (!isObject(moduleExports)) return { ran: false };
  const hooks = hookState();
  let done = hooks.patched.get(packageName);
  if (done === undefined) {
    done = new WeakSet();
    hooks.patched.set(packageName, done);
  }
  const identities = [moduleExports, (moduleExports as { default?: unknown }).default].filter(isObject);
  if (identities.some((identity) => done.has(identity))) return { ran: false };
  const before = snapshotFunctions(moduleExports);
  patch(moduleExports);
  for (const identity of identities) done.add(identity);
  return { ran: true, changed: changedFunctions(before, snapshotFunctions(moduleExports)) };
}

/** Removes the hooks and forgets what was patched: for tests. */
export function resetModuleHooks(): void {
  const state = globalState();
  for (const unhook of state.moduleHooks?.unhooks ?? []) unhook();
  // The ESM loader cannot be unregistered; its registration is kept so it is not registered twice.
  const esmLoader = state.moduleHooks?.esmLoader ?? false;
  state.moduleHooks = undefined;
  hookState().esmLoader = esmLoader;
}

function arrived(name: string, moduleExports: unknown): void {
  const hooks = hookState();
  hooks.arrived.add(name);
  const patcher = hooks.patchers.get(name);
  if (patcher !== undefined) {
    // Inside the app's require or import: nothing may escape (the patcher reports its own failures).
    try {
      patcher(moduleExports);
    } catch (error) {
      logger.warn(`patching ${name} failed: ${messageOf(error)}`);
    }
    return;
  }
  const waiting = hooks.pending.get(name) ?? [];
  if (!waiting.includes(moduleExports)) waiting.push(moduleExports);
  hooks.pending.set(name, waiting);
}

function isObject(value: unknown): value is object {
  return (typeof value === "object" || typeof value === "function") && value !== null;
}
