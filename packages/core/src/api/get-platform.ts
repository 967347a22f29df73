import { PlatformBrokenError, PlatformConflictError, PlatformNotFoundError, LlmopsError } from "../errors/llmops-error";
import { closest } from "../internal/did-you-mean";
import { globalState } from "../internal/global-state";
import { debugMayBeLogged, logger } from "../internal/logger";
import { installCommand } from "../helpers/install-command";
import type { Platform, PlatformConfig, PlatformRegistry } from "../contract/platform";
import type { InstrumentOptions } from "../pipeline/instrument-options";
import type { InstrumentationHandle } from "../pipeline/handle";
import type { DiscoveryNotice } from "../pipeline/instrument";
import { instrumentWith } from "../pipeline/instrument";
import type { DiscoveredPlatform, DiscoveryResult, PlatformSource } from "../discovery/discover";
import { appRequire, findAppRoot } from "../internal/app-root";
import { claimRank, discoverPlatforms, discoverUndeclared, resolveInsidePackage } from "../discovery/discover";
import { messageOf } from "../errors/error-message";
import { isEsmBuild } from "../internal/build-format";
import { esmEntryInPackage } from "../instrumentors/esm-preload";
import { pathToFileURL } from "node:url";

/**
 * A platform found by name. Nothing of the platform is imported until {@link PlatformHandle.load} or
 * {@link PlatformHandle.instrument} is called.
 */
export interface PlatformHandle<P extends Platform = Platform> {
  /** Platform name. */
  readonly name: string;
  /** The package that provides it. */
  readonly packageName: string;
  /** That package's version, when discovered from the app's dependencies. */
  readonly version: string | undefined;
  /** How it was found. */
  readonly source: PlatformSource;
  /** Imports the platform's module (once) and returns its `Platform` object. */
  load(): Promise<P>;
  /**
   * Runs the instrument pipeline for this platform: config, validation, TracerProvider, instrumentors.
   * Never throws in permissive mode (the default); in strict mode throws {@link ConfigurationError} listing every issue.
   * `config` is typed by the platform's schema when the platform is typed (see {@link PlatformConfig}).
   */
  instrument(options?: InstrumentOptions<PlatformConfig<P>>): Promise<InstrumentationHandle>;
}

/** Options of {@link getPlatform} and {@link listPlatforms}. */
export interface DiscoveryOptions {
  /** The app's root folder, where its package.json is. Default: the nearest one at or above the working directory. */
  readonly appRoot?: string;
}

/** One platform as {@link listPlatforms} reports it. */
export interface PlatformInfo {
  /** Platform name. */
  readonly name: string;
  /** The package that provides it. */
  readonly packageName: string;
  /** Its version, when known. */
  readonly version: string | undefined;
  /** How it was found. */
  readonly source: PlatformSource;
  /**
   * Other packages claiming the same name. `getPlatform(name)` uses the one the rule picks (`status: "ok"`; the others
   * are `"shadowed"`) and warns; `instrument()` in strict mode refuses while this is not empty.
   */
  readonly conflictsWith: readonly string[];
  /** `ok`; `shadowed`: another package claiming the name is used instead; `broken`: unusable, see `problem`. */
  readonly status: "ok" | "shadowed" | "broken";
  /** Why a `broken` platform cannot be used, e.g. `its package.json is not valid JSON (...)`. */
  readonly problem?: string;
}

const discoveryCache = new Map<string, DiscoveryResult>();

/**
 * Makes a platform known by its object, for apps where there is nothing to scan (bundles) or for platforms
 * defined in the app itself. A registered platform takes precedence over a discovered one of the same name.
 *
 * @param platform - the platform object, usually the `platform` export of a platform package
 *
 * @example
 * ```ts
 * import { registerPlatform, getPlatform } from "@llmops/core";
 * import { platform as local } from "@llmops/platform-local";
 *
 * registerPlatform(local);
 * const tracing = await getPlatform("local").instrument();
 * ```
 */
export function registerPlatform(platform: Platform): void {
  if (typeof platform !== "object" || platform === null || typeof platform.name !== "string" || typeof platform.createTracerProvider !== "function") {
    throw new LlmopsError("registerPlatform() needs a Platform object with a name and createTracerProvider(); see definePlatform().");
  }
  globalState().registered.set(platform.name, platform);
}

/**
 * Finds a platform by name: registered in code first, then in the app's installed dependencies. Returns at once,
 * without importing the platform.
 *
 * When two installed packages claim the name, the first-party `@llmops/platform-<name>` is used, then a package named
 * `…llmops-platform-<name>`, then the first by package name; `instrument()` warns naming both (strict mode: throws
 * {@link PlatformConflictError}).
 *
 * @param name - the platform's name, e.g. `arize`
 * @param options - `appRoot`: where the app's package.json is
 * @returns a lazy handle; typed when the platform package augments {@link PlatformRegistry}
 * @throws PlatformNotFoundError naming the platforms found, the closest of them to a mistyped name, and the install line
 * @throws PlatformBrokenError when the package declaring the name cannot be used (invalid package.json, bad `entry`)
 *
 * @example
 * ```ts
 * import { getPlatform } from "@llmops/core";
 *
 * const tracing = await getPlatform("arize").instrument();
 * // ... at the end of a serverless handler:
 * await tracing.forceFlush();
 * ```
 */
export function getPlatform<N extends keyof PlatformRegistry>(name: N, options?: DiscoveryOptions): PlatformHandle<PlatformRegistry[N] extends Platform ? PlatformRegistry[N] : Platform>;
export function getPlatform(name: string, options?: DiscoveryOptions): PlatformHandle;
export function getPlatform(name: string, options: DiscoveryOptions = {}): PlatformHandle {
  const registered = globalState().registered.get(name);
  if (registered !== undefined) return registeredHandle(registered);
  const appRoot = options.appRoot ?? findAppRoot();
  const discovery = discover(appRoot);
  const found = discovery.platforms.get(name);
  if (found === undefined) {
    const broken = discovery.broken.find((item) => item.name === name);
    if (broken !== undefined) throw new PlatformBrokenError({ platformName: name, packageName: broken.packageName, reason: broken.reason });
    const undeclared = discoverUndeclared(appRoot, name);
    if (undeclared !== undefined) {
      logger.debug(`Platform "${name}" comes from ${undeclared.packageName}, installed but not in the app's package.json; add it there to keep it when installs change.`);
      return discoveredHandle(undeclared, appRoot, undefined);
    }
    const packageName = `@llmops/platform-${name}`;
    const available = [...new Set([...globalState().registered.keys(), ...discovery.platforms.keys()])].sort();
    const suggestion = closest(name, available);
    throw new PlatformNotFoundError({
      platformName: name,
      available,
      packageName,
      installCommand: installCommand(packageName, appRoot),
      ...(suggestion === undefined ? {} : { suggestion }),
    });
  }
  return discoveredHandle(found, appRoot, discovery.conflicts.get(name));
}

/**
 * Every platform known: registered in code and declared by the app's installed dependencies.
 *
 * @param options - `appRoot`: where the app's package.json is
 *
 * @example
 * ```ts
 * for (const platform of listPlatforms()) console.log(platform.name, platform.packageName, platform.version);
 * ```
 */
export function listPlatforms(options: DiscoveryOptions = {}): PlatformInfo[] {
  const discovery = discover(options.appRoot ?? findAppRoot());
  const result: PlatformInfo[] = [];
  for (const platform of globalState().registered.values()) {
    result.push({ name: platform.name, packageName: platform.packageName, version: undefined, source: "registered", conflictsWith: [], status: "ok" });
  }
  for (const platform of discovery.platforms.values()) {
    if (globalState().registered.has(platform.name)) continue;
    const others = (discovery.conflicts.get(platform.name) ?? []).filter((other) => other !== platform.packageName);
    result.push({ name: platform.name, packageName: platform.packageName, version: platform.version, source: "dependency", conflictsWith: others, status: "ok" });
  }
  for (const [name, packages] of discovery.conflicts) {
    if (globalState().registered.has(name)) continue;
    for (const packageName of packages.slice(1)) {
      const others = packages.filter((other) => other !== packageName);
      result.push({ name, packageName, version: undefined, source: "dependency", conflictsWith: others, status: "shadowed" });
    }
  }
  for (const broken of discovery.broken) {
    if (broken.name === undefined) continue;
    result.push({ name: broken.name, packageName: broken.packageName, version: undefined, source: "dependency", conflictsWith: [], status: "broken", problem: broken.reason });
  }
  return result.sort((a, b) => a.name.localeCompare(b.name));
}

/** Forgets cached scans, so packages installed since are seen. Mostly for tests and long-lived tools. */
export function clearDiscoveryCache(): void {
  discoveryCache.clear();
}

function discover(appRoot: string): DiscoveryResult {
  let result = discoveryCache.get(appRoot);
  if (result === undefined) {
    result = discoverPlatforms(appRoot);
    discoveryCache.set(appRoot, result);
  }
  return result;
}

function registeredHandle(platform: Platform): PlatformHandle {
  const load = (): Promise<Platform> => Promise.resolve(platform);
  return {
    name: platform.name,
    packageName: platform.packageName,
    version: undefined,
    source: "registered",
    load,
    instrument: (options) => instrumentWith(platform.name, load, options, false, registeredOverDiscovered(platform)),
  };
}

/**
 * What `instrument()` says when the platform registered in code (a platform package's own `instrument()` or
 * `register` entry point) also has installed packages claiming its name: they are not used, at debug level, because
 * the app asked for this one by importing it. Never throws: a failed scan only means there is nothing to say.
 *
 * @param platform - the registered platform
 */
export function registeredOverDiscovered(platform: Platform): (appRoot: string) => DiscoveryNotice | undefined {
  return (appRoot) => {
    // Said at debug level only: when nothing prints that level, reading every dependency's package.json to say it is waste.
    if (!debugMayBeLogged()) return undefined;
    let discovery: DiscoveryResult;
    try {
      discovery = discover(appRoot);
    } catch {
      return undefined;
    }
    const claiming = discovery.conflicts.get(platform.name) ?? [discovery.platforms.get(platform.name)?.packageName];
    const others = claiming.filter((packageName): packageName is string => packageName !== undefined && packageName !== platform.packageName);
    if (others.length === 0) return undefined;
    return {
      level: "debug",
      message: `Platform "${platform.name}" is registered in code by ${platform.packageName} and also declared by installed ${others.join(" and ")}; the registered one is used.`,
    };
  };
}

function discoveredHandle(found: DiscoveredPlatform, appRoot: string, claimants: readonly string[] | undefined): PlatformHandle {
  let loading: Promise<Platform> | undefined;
  const load = (): Promise<Platform> => {
    loading ??= loadDiscovered(found, appRoot);
    return loading;
  };
  const notice = claimants === undefined ? undefined : conflictNotice(found, claimants);
  return {
    name: found.name,
    packageName: found.packageName,
    version: found.version,
    source: "dependency",
    load,
    instrument: (options) => instrumentWith(found.name, load, { appRoot, ...options }, false, notice === undefined ? undefined : () => notice),
  };
}

/** Two installed packages claim one name: permissive mode uses the one the rule put first and warns; strict refuses. */
function conflictNotice(found: DiscoveredPlatform, claimants: readonly string[]): DiscoveryNotice {
  const others = claimants.filter((packageName) => packageName !== found.packageName);
  const rank = claimRank(found.name, found.packageName);
  const decided = others.every((other) => claimRank(found.name, other) > rank);
  const why = !decided ? "first by package name" : rank === 0 ? "the first-party package wins" : `its name follows the llmops-platform-${found.name} convention`;
  return {
    level: "warn",
    message:
      `Platform "${found.name}" is declared by more than one installed package: ${claimants.join(" and ")}. ` +
      `Using ${found.packageName} (${why}). Remove ${others.join(" and ")}, or register the one you want with registerPlatform().`,
    strictError: new PlatformConflictError({ platformName: found.name, packageNames: claimants }),
  };
}

async function loadDiscovered(found: DiscoveredPlatform, appRoot: string): Promise<Platform> {
  let exported: unknown;
  try {
    const requireFromApp = appRequire(appRoot);
    const resolved = resolveInsidePackage(requireFromApp, found);
    if ("outside" in resolved) {
      throw new PlatformBrokenError({
        platformName: found.name,
        packageName: found.packageName,
        reason: `its platform module ${found.specifier} resolves to ${resolved.outside}, outside the package folder ${found.packageDirectory}; it is not loaded`,
      });
    }
    // Loaded through the app's resolution, so the app's copy of the platform (and of its peers) is the one used; in the
    // module system of this copy of core, so that the platform's `@llmops/core` is this one, not a second build of it.
    const esmFile = isEsmBuild() ? esmEntryInPackage(found.packageDirectory) : undefined;
    exported = esmFile === undefined ? requireFromApp(resolved.file) : await import(pathToFileURL(esmFile).href);
  } catch (error) {
    if (PlatformBrokenError.isInstance(error)) throw error;
    throw new LlmopsError(`Could not load platform "${found.name}" from ${found.specifier} (${found.packageName}@${found.version}): ${messageOf(error)}`, {
      cause: error,
    });
  }
  const candidate = pickPlatform(exported);
  if (candidate === undefined) {
    throw new LlmopsError(`${found.specifier} (${found.packageName}) declares llmops.platform "${found.name}" but exports no Platform object; ` + `export it as "platform" or as the default export.`);
  }
  if (candidate.name !== found.name) {
    throw new LlmopsError(`${found.packageName} declares platform "${found.name}" in package.json but its Platform object is named "${candidate.name}".`);
  }
  return candidate;
}

function pickPlatform(exported: unknown): Platform | undefined {
  const record = exported as { platform?: unknown; default?: unknown } | undefined;
  for (const candidate of [record?.platform, record?.default, (record?.default as { platform?: unknown } | undefined)?.platform, exported]) {
    if (isPlatform(candidate)) return candidate;
  }
  return undefined;
}

function isPlatform(value: unknown): value is Platform {
  return typeof value === "object" && value !== null && typeof (value as Platform).name === "string" && typeof (value as Platform).createTracerProvider === "function";
}
