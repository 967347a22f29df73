import { readFileSync, realpathSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { appRequire } from "../internal/app-root";
import { packageOf } from "./module-targets";

/**
 * Recognising an instrumentor's module by what it is, not by the name it was imported under. Bundlers load a client
 * under names of their own: Turbopack imports a server external as `openai-<hash>` (a symlink in `.next/node_modules`),
 * webpack emits `import("openai")` from a chunk far from the app. What stays the same is the file Node ends up loading:
 * one of the entry points of a package whose `package.json` says `"name": "openai"`. So a module is the target
 * `openai` when its file is an entry of the package named `openai` that holds it, wherever that package sits
 * (hoisted, nested, pnpm's store, a bundler's alias).
 */

/** What is read of a `package.json`. */
interface PackageManifest {
  readonly name?: unknown;
  readonly main?: unknown;
  readonly module?: unknown;
  readonly exports?: unknown;
}

/** A package found above a file: its folder and manifest. */
interface FoundPackage {
  readonly directory: string;
  readonly manifest: PackageManifest;
}

/** How many folders up from a file a `package.json` with a name is looked for. */
const MAX_LEVELS = 12;
/** Bounds of the caches below: a long-running process that loads many files keeps a bounded amount. */
const MAX_CACHED = 2_000;

const packageCache = new Map<string, FoundPackage | undefined>();
const identityCache = new Map<string, string | undefined>();

/**
 * The target module a loaded file is, if any: the target whose package is the one holding the file (by the `name` of
 * the nearest named `package.json` above it) and whose entry points in that package include the file.
 *
 * @param filePath - the file Node loaded (symlinks resolved, as Node resolves them)
 * @param targets - the module names being watched, e.g. `openai`, `@langchain/core/callbacks/manager`
 */
export function identifyModule(filePath: string, targets: ReadonlySet<string>): string | undefined {
  const key = `${filePath}\0${targets.size}`;
  if (identityCache.has(key)) return identityCache.get(key);
  let found: string | undefined;
  const holder = packageAbove(filePath);
  if (holder !== undefined && typeof holder.manifest.name === "string") {
    for (const target of targets) {
      if (packageOf(target) !== holder.manifest.name) continue;
      if (entryFiles(holder, subpathOf(target)).includes(resolve(filePath))) {
        found = target;
        break;
      }
    }
  }
  remember(identityCache, key, found);
  return found;
}

/**
 * Patterns that match the entry files of a target module wherever a copy of its package is installed, for the ES
 * module loader, which runs where no function of ours can (on Node's loader thread) and takes only bare names, file
 * URLs and regular expressions. The entries are read from the copy the app resolves; the patterns also match the
 * package under a bundler's hashed alias (`node_modules/openai-<hash>/`, when symlinks are preserved). None when the
 * app does not resolve the package.
 *
 * @param moduleName - the target module, e.g. `openai`
 * @param appRoot - the folder the app resolves its packages from
 */
export function entryPatterns(moduleName: string, appRoot: string): RegExp[] {
  const holder = resolvePackage(packageOf(moduleName), appRoot);
  if (holder === undefined) return [];
  const packageName = packageOf(moduleName);
  const inPackage = escapeRegExp(packageName).replace("/", "[\\\\/]");
  return [...new Set(entryFiles(holder, subpathOf(moduleName)).map((file) => relative(holder.directory, file).split(sep).join("/")))]
    .filter((file) => file !== "" && !file.startsWith(".."))
    .map((file) => new RegExp(`[\\\\/]node_modules[\\\\/]${inPackage}(?:-[0-9a-f]{8,})?[\\\\/]${file.split("/").map(escapeRegExp).join("[\\\\/]")}$`));
}

/** `./callbacks/manager` for `@langchain/core/callbacks/manager`, `.` for a package root. */
function subpathOf(moduleName: string): string {
  const rest = moduleName.slice(packageOf(moduleName).length);
  return rest === "" ? "." : `.${rest}`;
}

/**
 * The files a subpath of a package can load, under any condition (`import`, `require`, `node`, `default`...): every
 * target its `exports` map gives for the subpath (or a `*` pattern that covers it); without `exports`, `main`,
 * `module` and the usual file extensions.
 */
function entryFiles(holder: FoundPackage, subpath: string): string[] {
  const { manifest, directory } = holder;
  const targets: string[] = [];
  const exportsField = manifest.exports;
  if (exportsField !== undefined && exportsField !== null) {
    const keyed = typeof exportsField === "object" && !Array.isArray(exportsField) && Object.keys(exportsField).some((key) => key.startsWith("."));
    if (!keyed) {
      if (subpath === ".") targets.push(...leaves(exportsField, undefined));
    } else {
      const map = exportsField as Record<string, unknown>;
      if (map[subpath] !== undefined) targets.push(...leaves(map[subpath], undefined));
      else {
        for (const [key, value] of Object.entries(map)) {
          const star = key.indexOf("*");
          if (star === -1) continue;
          const prefix = key.slice(0, star);
          const suffix = key.slice(star + 1);
          if (subpath.startsWith(prefix) && subpath.endsWith(suffix) && subpath.length >= prefix.length + suffix.length) {
            targets.push(...leaves(value, subpath.slice(prefix.length, subpath.length - suffix.length)));
          }
        }
      }
    }
  } else if (subpath === ".") {
    const main = typeof manifest.main === "string" ? manifest.main : "index.js";
    targets.push(main, `${main}.js`, join(main, "index.js"));
    if (typeof manifest.module === "string") targets.push(manifest.module);
  } else {
    targets.push(subpath, `${subpath}.js`, `${subpath}.cjs`, `${subpath}.mjs`, join(subpath, "index.js"));
  }
  return [...new Set(targets.map((target) => resolve(directory, target)))];
}

/** Every string an `exports` value leads to, whatever the conditions; `*` replaced by `star`. */
function leaves(value: unknown, star: string | undefined): string[] {
  if (typeof value === "string") return [star === undefined ? value : value.split("*").join(star)];
  if (Array.isArray(value)) return value.flatMap((item) => leaves(item, star));
  if (typeof value === "object" && value !== null) return Object.values(value).flatMap((item) => leaves(item, star));
  return [];
}

/** The nearest `package.json` with a `name` above a file (a build folder's `{"type":"module"}` has none). */
function packageAbove(filePath: string): FoundPackage | undefined {
  let directory = dirname(resolve(filePath));
  const visited: string[] = [];
  let found: FoundPackage | undefined;
  for (let level = 0; level < MAX_LEVELS; level++) {
    if (packageCache.has(directory)) {
      found = packageCache.get(directory);
      break;
    }
    visited.push(directory);
    const manifest = readManifest(join(directory, "package.json"));
    if (manifest !== undefined && typeof manifest.name === "string") {
      found = { directory, manifest };
      break;
    }
    const parent = dirname(directory);
    if (parent === directory) break;
    directory = parent;
  }
  for (const folder of visited) remember(packageCache, folder, found);
  return found;
}

/** The copy of a package the app resolves, from its root; undefined when it does not. */
function resolvePackage(packageName: string, appRoot: string): FoundPackage | undefined {
  const fromApp = appRequire(appRoot);
  for (const request of [`${packageName}/package.json`, packageName]) {
    try {
      const holder = packageAbove(fromApp.resolve(request));
      if (holder?.manifest.name === packageName) return holder;
    } catch {
      // Not exported, or not installed: the next request, or nothing.
    }
  }
  // A package that exports neither its root nor its package.json: found where Node would look for it.
  for (let directory = appRoot, level = 0; level < MAX_LEVELS; level++) {
    const manifest = readManifest(join(directory, "node_modules", packageName, "package.json"));
    if (manifest?.name === packageName) return { directory: realpathOr(join(directory, "node_modules", packageName)), manifest };
    const parent = dirname(directory);
    if (parent === directory) break;
    directory = parent;
  }
  return undefined;
}

function realpathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function readManifest(file: string): PackageManifest | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
    return typeof parsed === "object" && parsed !== null ? (parsed as PackageManifest) : undefined;
  } catch {
    return undefined;
  }
}

function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, value);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
