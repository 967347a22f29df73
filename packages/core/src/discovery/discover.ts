import { existsSync, readFileSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { logger } from "../internal/logger";

/** How a platform became known: from an installed package's `llmops.platform` field, or `registerPlatform()`. */
export type PlatformSource = "dependency" | "registered";

/** A platform found in the app's installed dependencies. Nothing of it has been imported. */
export interface DiscoveredPlatform {
  /** Platform name, e.g. `arize`. */
  readonly name: string;
  /** The package declaring it. */
  readonly packageName: string;
  /** That package's version. */
  readonly version: string;
  /** Config section the package declares (informational; the loaded platform's own value is used). */
  readonly configSection: string;
  /** The module specifier that exports the `Platform` object, e.g. `@llmops/platform-arize/platform`. */
  readonly specifier: string;
  /** The folder of the declaring package. */
  readonly packageDirectory: string;
}

/** What a scan of the app found. */
export interface DiscoveryResult {
  /** The app root scanned. */
  readonly appRoot: string;
  /** Platforms by name. */
  readonly platforms: ReadonlyMap<string, DiscoveredPlatform>;
  /** Names claimed by more than one package, with every package claiming each. */
  readonly conflicts: ReadonlyMap<string, readonly string[]>;
}

/** The shape of the `llmops.platform` field in a platform package's package.json. */
interface PlatformField {
  name?: unknown;
  configSection?: unknown;
  entry?: unknown;
}

interface PackageJson {
  name?: string;
  version?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  llmops?: { platform?: PlatformField };
}

/**
 * The app's root: the nearest folder at or above `start` holding a package.json.
 * `LLMOPS_APP_ROOT` overrides it.
 */
export function findAppRoot(start: string = process.cwd(), env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (env.LLMOPS_APP_ROOT !== undefined && env.LLMOPS_APP_ROOT !== "") return resolve(env.LLMOPS_APP_ROOT);
  let directory = resolve(start);
  for (;;) {
    if (existsSync(join(directory, "package.json"))) return directory;
    const parent = dirname(directory);
    if (parent === directory) return resolve(start);
    directory = parent;
  }
}

/** A `require` resolving from the app's package.json, as the app itself would. */
export function appRequire(appRoot: string): NodeJS.Require {
  return createRequire(join(appRoot, "package.json"));
}

/**
 * Scans the app's dependencies (all kinds) for packages declaring `llmops.platform`, resolving each from the
 * app with `createRequire` (npm, pnpm and Yarn PnP layouts alike). Reads package.json files only.
 */
export function discoverPlatforms(appRoot: string): DiscoveryResult {
  const manifest = readJson(join(appRoot, "package.json"));
  const names = new Set<string>();
  for (const field of ["dependencies", "devDependencies", "optionalDependencies", "peerDependencies"] as const) {
    for (const name of Object.keys(manifest?.[field] ?? {})) names.add(name);
  }
  const requireFromApp = appRequire(appRoot);
  const claims = new Map<string, DiscoveredPlatform[]>();
  for (const dependency of names) {
    const found = readPlatformManifest(requireFromApp, appRoot, dependency);
    const field = found?.manifest.llmops?.platform;
    if (found === undefined || field === undefined) continue;
    const platform = toDiscovered(dependency, found.directory, found.manifest, field);
    if (platform === undefined) continue;
    const list = claims.get(platform.name) ?? [];
    list.push(platform);
    claims.set(platform.name, list);
  }
  const platforms = new Map<string, DiscoveredPlatform>();
  const conflicts = new Map<string, string[]>();
  for (const [name, list] of claims) {
    if (list.length > 1) conflicts.set(name, list.map((item) => item.packageName));
    else if (list[0] !== undefined) platforms.set(name, list[0]);
  }
  return { appRoot, platforms, conflicts };
}

function toDiscovered(packageName: string, directory: string, manifest: PackageJson, field: PlatformField): DiscoveredPlatform | undefined {
  if (typeof field.name !== "string" || field.name === "") {
    logger.warn(`Package ${packageName} declares llmops.platform without a "name" string; it is ignored.`);
    return undefined;
  }
  const entry = typeof field.entry === "string" ? field.entry : ".";
  const subpath = entry === "." || entry === "./" ? "" : `/${entry.replace(/^\.\//, "")}`;
  return {
    name: field.name,
    packageName,
    version: manifest.version ?? "0.0.0",
    configSection: typeof field.configSection === "string" ? field.configSection : field.name,
    specifier: `${packageName}${subpath}`,
    packageDirectory: directory,
  };
}

/** A package.json that cannot declare `llmops.platform`: the key is not in its text at all. */
function cannotDeclare(text: string): boolean {
  return !text.includes('"llmops"');
}

/**
 * Reads an installed dependency's package.json when it may declare a platform; undefined when it is not installed or
 * does not mention `llmops`. Looks first in `<app root>/node_modules/<name>`, the folder Node's resolution from the app
 * tries first (npm and pnpm layouts), deciding from the file's text before parsing it: an app with a thousand
 * dependencies pays a file read for each, not a resolution. Otherwise resolves `<name>/package.json` from the app;
 * a package whose `exports` hides it is found through its resolved main file, walking up to the package.json that
 * names it (hoisted workspaces, Yarn PnP).
 */
function readPlatformManifest(requireFromApp: NodeJS.Require, appRoot: string, name: string): { directory: string; manifest: PackageJson } | undefined {
  const direct = join(appRoot, "node_modules", name);
  const text = readText(join(direct, "package.json"));
  if (text !== undefined) {
    if (cannotDeclare(text)) return undefined;
    const manifest = parseJson(text);
    // The real folder, as `require.resolve` gives it (pnpm links into its store).
    if (manifest !== undefined) return { directory: realpathOrSelf(direct), manifest };
  }
  return readInstalledManifest(requireFromApp, name);
}

/**
 * Reads an installed dependency's package.json through the app's resolution. Tries `<name>/package.json` first; a
 * package whose `exports` hides it is found through its resolved main file, walking up to the package.json that names it.
 */
function readInstalledManifest(requireFromApp: NodeJS.Require, name: string): { directory: string; manifest: PackageJson } | undefined {
  try {
    const path = requireFromApp.resolve(`${name}/package.json`);
    const manifest = readJson(path);
    if (manifest !== undefined) return { directory: dirname(path), manifest };
  } catch {
    // not exported, or not installed: try the main entry below
  }
  let entry: string;
  try {
    entry = requireFromApp.resolve(name);
  } catch {
    return readFromNodeModules(requireFromApp, name); // ESM-only exports, or not installed
  }
  let directory = dirname(entry);
  for (;;) {
    const manifest = readJson(join(directory, "package.json"));
    if (manifest?.name === name) return { directory, manifest };
    const parent = dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}

/** Last resort for a package with neither `./package.json` nor a `require` condition exported: node_modules folders. */
function readFromNodeModules(requireFromApp: NodeJS.Require, name: string): { directory: string; manifest: PackageJson } | undefined {
  for (const base of requireFromApp.resolve.paths(name) ?? []) {
    const directory = join(base, name);
    const manifest = readJson(join(directory, "package.json"));
    if (manifest?.name === name) return { directory, manifest };
  }
  return undefined;
}

function readJson(path: string): PackageJson | undefined {
  const text = readText(path);
  return text === undefined ? undefined : parseJson(text);
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

function parseJson(text: string): PackageJson | undefined {
  try {
    return JSON.parse(text) as PackageJson;
  } catch {
    return undefined;
  }
}

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
