import { closeSync, constants, openSync, readFileSync, readSync, realpathSync, statSync } from "node:fs";
import type { Stats } from "node:fs";
import { dirname, isAbsolute, join, relative, sep, win32 } from "node:path";

import { appRequire } from "../internal/app-root";
import { messageOf } from "../errors/error-message";

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

/** An installed package that declares (or, by its name, would declare) a platform, but whose declaration cannot be used. */
export interface BrokenPlatform {
  /**
   * The platform name it claims, when its package.json could be read that far; otherwise the name its package name
   * follows the naming convention for (`@llmops/platform-<name>`, `…llmops-platform-<name>`), or undefined.
   */
  readonly name: string | undefined;
  /** The package. */
  readonly packageName: string;
  /** Why it cannot be used, e.g. `package.json is not valid JSON (…)`. */
  readonly reason: string;
}

/** What a scan of the app found. */
export interface DiscoveryResult {
  /** The app root scanned. */
  readonly appRoot: string;
  /** Platforms by name; for a name claimed twice, the package {@link rankClaims} puts first. */
  readonly platforms: ReadonlyMap<string, DiscoveredPlatform>;
  /** Names claimed by more than one package, with every package claiming each, the one used first. */
  readonly conflicts: ReadonlyMap<string, readonly string[]>;
  /** Packages whose platform declaration cannot be used, with the reason. */
  readonly broken: readonly BrokenPlatform[];
}

/**
 * The largest package.json discovery reads. Real manifests are a few kilobytes; a bigger one is not parsed (a
 * dependency cannot make every start of the app parse megabytes), and a platform declared in one is reported as broken.
 */
export const MANIFEST_SIZE_CAP_BYTES = 1024 * 1024;

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
  llmops?: { platform?: unknown };
}

/**
 * Scans the app's dependencies (all kinds) for packages declaring `llmops.platform`, resolving each from the
 * app with `createRequire` (npm, pnpm and Yarn PnP layouts alike). Reads package.json files only, each at most
 * {@link MANIFEST_SIZE_CAP_BYTES}.
 */
export function discoverPlatforms(appRoot: string): DiscoveryResult {
  const app = readManifest(join(appRoot, "package.json"));
  const manifest = app?.kind === "ok" ? app.manifest : undefined;
  const names = new Set<string>();
  for (const field of ["dependencies", "devDependencies", "optionalDependencies", "peerDependencies"] as const) {
    const list = manifest?.[field];
    if (typeof list === "object" && list !== null) for (const name of Object.keys(list)) names.add(name);
  }
  const requireFromApp = appRequire(appRoot);
  const claims = new Map<string, DiscoveredPlatform[]>();
  const broken: BrokenPlatform[] = [];
  const reader = directReader(appRoot);
  for (const dependency of names) {
    const found = readPlatformManifest(requireFromApp, reader, dependency);
    if (found === undefined) continue;
    if (found.kind === "broken") {
      broken.push({ name: found.claimedName ?? conventionalName(dependency), packageName: dependency, reason: found.reason });
      continue;
    }
    const field = found.manifest.llmops?.platform;
    if (field === undefined) continue;
    const platform = toDiscovered(dependency, found.directory, found.manifest, field);
    if ("reason" in platform) {
      broken.push(platform);
      continue;
    }
    const list = claims.get(platform.name) ?? [];
    list.push(platform);
    claims.set(platform.name, list);
  }
  const platforms = new Map<string, DiscoveredPlatform>();
  const conflicts = new Map<string, string[]>();
  for (const [name, list] of claims) {
    const ranked = rankClaims(name, list);
    if (ranked[0] !== undefined) platforms.set(name, ranked[0]);
    if (ranked.length > 1)
      conflicts.set(
        name,
        ranked.map((item) => item.packageName),
      );
  }
  return { appRoot, platforms, conflicts, broken };
}

/**
 * A platform the app's package.json does not list but that sits in a `node_modules` folder of the app or of a folder
 * above it, where Node's resolution from the app finds it (hoisted from another package's dependencies, or declared
 * by the root of a workspace the app is in): only the packages named for it, `@llmops/platform-<name>` then
 * `llmops-platform-<name>`, whose `llmops.platform` claims `name`. Node's global folders (`NODE_PATH`,
 * `~/.node_modules`) are not looked in: a package there belongs to no app. Asked only for a name no declared
 * dependency claims, so it costs nothing to an app that declares its platform; it finds nothing under layouts that
 * keep undeclared packages out of the app's reach (pnpm, Yarn PnP).
 */
export function discoverUndeclared(appRoot: string, name: string): DiscoveredPlatform | undefined {
  for (const packageName of [`@llmops/platform-${name}`, `llmops-platform-${name}`]) {
    for (let directory = appRoot; ; directory = dirname(directory)) {
      const found = readDependencyManifest(join(directory, "node_modules", packageName, "package.json"), packageName);
      const field = found?.kind === "ok" ? found.manifest.llmops?.platform : undefined;
      if (found?.kind === "ok" && field !== undefined) {
        const platform = toDiscovered(packageName, realpathOrSelf(found.directory), found.manifest, field);
        if (!("reason" in platform) && platform.name === name) return platform;
      }
      // The nearest copy is the one Node would load: a farther one is not looked at.
      if (found !== undefined || dirname(directory) === directory) break;
    }
  }
  return undefined;
}

/**
 * Orders the packages claiming one platform name, the one to use first: the first-party `@llmops/platform-<name>`,
 * then a package named by the convention for that name (`llmops-platform-<name>`, `<anything>-llmops-platform-<name>`,
 * scoped or not), then the rest; ties go by package name (code-unit order), so the choice never depends on install
 * order or on the order of keys in package.json.
 */
export function rankClaims<T extends { readonly packageName: string }>(name: string, claims: readonly T[]): T[] {
  return [...claims].sort((a, b) => claimRank(name, a.packageName) - claimRank(name, b.packageName) || (a.packageName < b.packageName ? -1 : a.packageName > b.packageName ? 1 : 0));
}

/** A package's standing in a claim on `name`, lower first: 0 first-party, 1 named by the convention, 2 any other. */
export function claimRank(name: string, packageName: string): 0 | 1 | 2 {
  if (packageName === `@llmops/platform-${name}`) return 0;
  return conventionalName(packageName) === name ? 1 : 2;
}

/** The platform name a package's name follows the convention for: `@llmops/platform-x` and `…llmops-platform-x` give `x`. */
function conventionalName(packageName: string): string | undefined {
  return /^@llmops\/platform-(.+)$/.exec(packageName)?.[1] ?? /(?:^|[/-])llmops-platform-(.+)$/.exec(packageName)?.[1];
}

function toDiscovered(packageName: string, directory: string, manifest: PackageJson, field: unknown): DiscoveredPlatform | BrokenPlatform {
  const brokenBecause = (reason: string, name?: unknown): BrokenPlatform => ({
    name: typeof name === "string" && name !== "" ? name : conventionalName(packageName),
    packageName,
    reason,
  });
  if (typeof field !== "object" || field === null || Array.isArray(field)) return brokenBecause("llmops.platform in its package.json is not an object");
  const { name, configSection, entry } = field as PlatformField;
  if (typeof name !== "string" || name === "") return brokenBecause('llmops.platform in its package.json has no "name" string');
  if (configSection !== undefined && (typeof configSection !== "string" || configSection === "")) {
    return brokenBecause("llmops.platform.configSection in its package.json is not a non-empty string", name);
  }
  if (entry !== undefined && typeof entry !== "string") return brokenBecause("llmops.platform.entry in its package.json is not a string", name);
  const subpath = entrySubpath(entry ?? ".");
  if (subpath === undefined) {
    return brokenBecause(`llmops.platform.entry ${JSON.stringify(entry)} in its package.json is not a path inside the package (use "." or "./<subpath>")`, name);
  }
  return {
    name,
    packageName,
    version: typeof manifest.version === "string" ? manifest.version : "0.0.0",
    configSection: configSection ?? name,
    specifier: `${packageName}${subpath}`,
    packageDirectory: directory,
  };
}

/**
 * The subpath an `entry` names, `""` for the package itself, or undefined when it could leave the package folder:
 * absolute paths (POSIX or Windows), `..` segments, backslashes, and anything with a scheme (`file:`, `node:`).
 */
function entrySubpath(entry: string): string | undefined {
  if (entry === "." || entry === "./") return "";
  if (entry === "" || isAbsolute(entry) || win32.isAbsolute(entry) || /[\\:\0]/.test(entry)) return undefined;
  const segments = entry.replace(/^\.\//, "").split("/");
  if (segments.some((segment) => segment === ".." || segment === "." || segment === "")) return undefined;
  return `/${segments.join("/")}`;
}

/**
 * Where a platform's module really is, refusing one outside its package folder: `entry` is checked when the
 * package.json is read, but the package's own `exports` map, or a symlink inside the package, can still point away.
 * Returns the resolved file, to be loaded by that path (symlinks kept, as Node's resolution gave it).
 */
export function resolveInsidePackage(requireFromApp: NodeJS.Require, found: Pick<DiscoveredPlatform, "specifier" | "packageDirectory">): { file: string } | { outside: string } {
  const file = requireFromApp.resolve(found.specifier);
  const real = realpathOrSelf(file);
  const folder = realpathOrSelf(found.packageDirectory);
  const path = relative(folder, real);
  if (path === "" || path === ".." || path.startsWith(`..${sep}`) || isAbsolute(path)) return { outside: real };
  // The path as resolved, not the real one: Yarn PnP finds a package's peers from the (virtual) path it was loaded by.
  return { file };
}

/** A package.json that cannot declare `llmops.platform`: the key is not in its text at all. */
function cannotDeclare(text: string): boolean {
  return !text.includes('"llmops"');
}

/** A dependency's package.json as discovery read it: usable, or broken with the reason (undefined: not a platform). */
type ManifestFound =
  { readonly kind: "ok"; readonly directory: string; readonly manifest: PackageJson } | { readonly kind: "broken"; readonly reason: string; readonly claimedName: string | undefined };

/**
 * Reads an installed dependency's package.json when it may declare a platform; undefined when it is not installed or
 * does not mention `llmops`. Looks first in `<app root>/node_modules/<name>`, the folder Node's resolution from the app
 * tries first (npm and pnpm layouts), deciding from the file's text before parsing it: an app with a thousand
 * dependencies pays one small read for each, not a resolution. Otherwise resolves `<name>/package.json` from the app;
 * a package whose `exports` hides it is found through its resolved main file, walking up to the package.json that
 * names it (hoisted workspaces, Yarn PnP).
 */
function readPlatformManifest(requireFromApp: NodeJS.Require, reader: DirectReader, name: string): ManifestFound | undefined {
  const read = reader.read(name);
  if (read !== undefined) {
    if (read.kind === "broken") return brokenFound(read.reason, name, undefined);
    if (cannotDeclare(read.text)) return undefined;
    const parsed = parseManifest(read.text);
    if (parsed.kind === "broken") return brokenFound(parsed.reason, name, read.text);
    // The real folder, as `require.resolve` gives it (pnpm links into its store).
    return { kind: "ok", directory: realpathOrSelf(join(reader.nodeModules, name)), manifest: parsed.manifest };
  }
  return readInstalledManifest(requireFromApp, name);
}

/** Reads `<app root>/node_modules/<name>/package.json` for each dependency of one scan (see {@link directReader}). */
interface DirectReader {
  /** `<app root>/node_modules`. */
  readonly nodeModules: string;
  /** The text of the dependency's package.json there, why it cannot be used, or undefined when there is none. */
  read(name: string): ManifestText | undefined;
}

type ManifestText = { kind: "text"; text: string } | { kind: "broken"; reason: string };

/** Bytes read at once from a dependency's package.json; real manifests are a few kilobytes. */
const DIRECT_READ_BYTES = 64 * 1024;

/**
 * The reader of one scan's `<app root>/node_modules/<name>/package.json` files: a thousand-dependency app pays for
 * each an open, one read into a buffer shared by the scan, and a close, with no `stat`: on Node 20 every `Stats`
 * builds four `Date` objects, which cost about as much as the read itself. The file is opened without blocking, so a
 * FIFO in its place never holds the scan; a directory fails its read; a short first read is the whole of a regular
 * file. A file that fills the buffer, is empty, or fails its read goes through {@link readManifestText}, which checks
 * its kind and size, so that those cases say what they always said. Paths on disk only: Yarn PnP's zip archives are
 * reached through resolution, never here.
 */
function directReader(appRoot: string): DirectReader {
  const nodeModules = join(appRoot, "node_modules");
  const prefix = `${nodeModules}${sep}`;
  const suffix = `${sep}package.json`;
  const flags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);
  let buffer: Buffer | undefined;
  return {
    nodeModules,
    read(name) {
      // Concatenated, not joined: `name` is a package name, and path normalisation would be the scan's largest cost after the reads.
      const path = `${prefix}${name}${suffix}`;
      let descriptor: number;
      try {
        descriptor = openSync(path, flags);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        return code === "ENOENT" || code === "ENOTDIR" ? undefined : readManifestText(path);
      }
      let length: number;
      try {
        buffer ??= Buffer.allocUnsafe(DIRECT_READ_BYTES);
        length = readSync(descriptor, buffer, 0, DIRECT_READ_BYTES, null);
      } catch {
        length = -1;
      } finally {
        closeSync(descriptor);
      }
      if (length <= 0 || length === DIRECT_READ_BYTES || buffer === undefined) return readManifestText(path);
      return { kind: "text", text: buffer.toString("utf8", 0, length) };
    },
  };
}

/**
 * A package.json that could not be used. A package whose name does not follow the platform naming convention and
 * whose text does not mention `llmops` (or could not be read to see) is no platform as far as anyone can tell.
 */
function brokenFound(reason: string, packageName: string, text: string | undefined): ManifestFound | undefined {
  const claimedName = text === undefined ? undefined : /"platform"\s*:\s*\{[^}]*?"name"\s*:\s*"([^"\\]{1,214})"/.exec(text)?.[1];
  const claims = claimedName !== undefined || conventionalName(packageName) !== undefined || (text !== undefined && !cannotDeclare(text));
  return claims ? { kind: "broken", reason, claimedName } : undefined;
}

/**
 * Reads an installed dependency's package.json through the app's resolution. Tries `<name>/package.json` first; a
 * package whose `exports` hides it is found through its resolved main file, walking up to the package.json that names it.
 */
function readInstalledManifest(requireFromApp: NodeJS.Require, name: string): ManifestFound | undefined {
  try {
    const path = requireFromApp.resolve(`${name}/package.json`);
    const found = readDependencyManifest(path, name);
    if (found !== undefined) return found;
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
    const read = readManifest(join(directory, "package.json"));
    if (read?.kind === "ok" && read.manifest.name === name) return { kind: "ok", directory, manifest: read.manifest };
    // The package's own package.json, unusable: say so rather than walk on to the app's.
    if (read?.kind === "broken" && directory.endsWith(join("node_modules", name))) return brokenFound(read.reason, name, read.text);
    const parent = dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}

/** Last resort for a package with neither `./package.json` nor a `require` condition exported: node_modules folders. */
function readFromNodeModules(requireFromApp: NodeJS.Require, name: string): ManifestFound | undefined {
  for (const base of requireFromApp.resolve.paths(name) ?? []) {
    const found = readDependencyManifest(join(base, name, "package.json"), name);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The package.json at `path`, when it is the one of package `name` or a broken one where it should be. */
function readDependencyManifest(path: string, name: string): ManifestFound | undefined {
  const read = readManifest(path);
  if (read === undefined) return undefined;
  if (read.kind === "broken") return brokenFound(read.reason, name, read.text);
  return read.manifest.name === name ? { kind: "ok", directory: dirname(path), manifest: read.manifest } : undefined;
}

type ManifestRead = { readonly kind: "ok"; readonly manifest: PackageJson } | { readonly kind: "broken"; readonly reason: string; readonly text?: string };

function readManifest(path: string): ManifestRead | undefined {
  const read = readManifestText(path);
  if (read === undefined) return undefined;
  if (read.kind === "broken") return read;
  const parsed = parseManifest(read.text);
  return parsed.kind === "ok" ? parsed : { ...parsed, text: read.text };
}

/**
 * The text of a package.json, or why it was not read: only regular files (a FIFO in its place would hold the scan)
 * up to {@link MANIFEST_SIZE_CAP_BYTES}. Undefined when there is no file. Paths, not descriptors: Yarn PnP serves
 * packages out of zip archives through a patched `fs` that knows paths.
 */
function readManifestText(path: string): ManifestText | undefined {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch {
    return undefined;
  }
  if (!stats.isFile()) return { kind: "broken", reason: "its package.json is not a regular file" };
  if (stats.size > MANIFEST_SIZE_CAP_BYTES) {
    return { kind: "broken", reason: `its package.json is ${stats.size} bytes, over the ${MANIFEST_SIZE_CAP_BYTES}-byte cap llmops reads` };
  }
  try {
    return { kind: "text", text: readFileSync(path, "utf8") };
  } catch (error) {
    return { kind: "broken", reason: `its package.json cannot be read (${(error as NodeJS.ErrnoException).code ?? messageOf(error)})` };
  }
}

function parseManifest(text: string): { kind: "ok"; manifest: PackageJson } | { kind: "broken"; reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { kind: "broken", reason: `its package.json is not valid JSON (${messageOf(error)})` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { kind: "broken", reason: "its package.json is not a JSON object" };
  return { kind: "ok", manifest: value as PackageJson };
}

function realpathOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
