import { basename, extname, isAbsolute, resolve } from "node:path";
import type { ConfigIssue } from "../errors/llmops-error";
import { readRegularFile } from "../internal/read-file";
import { CONFIG_LIMITS } from "./check-structure";
import { jsonSyntaxError } from "./json-syntax-error";
import { firstLineOf } from "../errors/error-message";

/** Where the configuration came from. */
export type ConfigSource =
  | { readonly kind: "file"; readonly file: string; readonly via: ConfigVia; readonly config: unknown }
  | { readonly kind: "unreadable"; readonly file: string; readonly via: ConfigVia }
  | { readonly kind: "inline"; readonly config: unknown }
  | { readonly kind: "none"; readonly searched: readonly string[] };

/** How a config file was chosen. */
export type ConfigVia = "option" | "LLMOPS_CONFIG_PATH" | "search";

/** File names searched for in the app root, in this order (cosmiconfig's loaders read each kind). */
export const SEARCH_PLACES: readonly string[] = [
  "package.json",
  "llmops.yaml",
  "llmops.yml",
  "llmops.json",
  ".llmopsrc",
  ".llmopsrc.json",
  ".llmopsrc.yaml",
  ".llmopsrc.yml",
  ".llmopsrc.js",
  ".llmopsrc.cjs",
  ".llmopsrc.mjs",
  ".llmopsrc.ts",
  "llmops.config.js",
  "llmops.config.cjs",
  "llmops.config.mjs",
  "llmops.config.ts",
  ".config/llmopsrc",
  ".config/llmopsrc.json",
  ".config/llmopsrc.yaml",
  ".config/llmopsrc.yml",
];

/** Options of {@link locateConfig}. */
export interface LocateOptions {
  readonly configPath?: string;
  readonly inline?: unknown;
  readonly appRoot: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * Finds and loads the configuration: explicit path › `LLMOPS_CONFIG_PATH` › search of the app root › inline object.
 * The first source found is the only one used. Problems come back as issues; nothing throws.
 *
 * Only regular files are read, up to {@link CONFIG_LIMITS}.maxFileBytes (a FIFO at a searched place would otherwise
 * hold the process forever). YAML and JSON syntax errors name the file, line, column and the parser's reason.
 * cosmiconfig's loaders parse YAML and run JavaScript and TypeScript configs; cosmiconfig is loaded only when a file
 * needs them.
 */
export async function locateConfig(options: LocateOptions): Promise<{ source: ConfigSource; issues: ConfigIssue[] }> {
  const explicit = options.configPath ?? emptyToUndefined(options.env.LLMOPS_CONFIG_PATH);
  if (explicit !== undefined) {
    const via = options.configPath !== undefined ? "option" : "LLMOPS_CONFIG_PATH";
    const file = isAbsolute(explicit) ? explicit : resolve(options.appRoot, explicit);
    const loaded = await loadConfigFile(file);
    if (loaded.kind === "missing") {
      const from = via === "option" ? "configPath" : "LLMOPS_CONFIG_PATH";
      // The issue names the one file asked for: no search happened, so none is listed.
      return { source: { kind: "none", searched: [] }, issues: [{ path: "", message: `configuration file not found (${from} = ${explicit}, resolved to ${file})`, file }] };
    }
    if (loaded.kind === "failed") return { source: { kind: "unreadable", file, via }, issues: [{ path: "", message: loaded.message, file }] };
    return { source: { kind: "file", file, via, config: loaded.kind === "empty" ? {} : loaded.config }, issues: [] };
  }
  for (const place of SEARCH_PLACES) {
    const file = resolve(options.appRoot, place);
    const loaded = await loadConfigFile(file);
    if (loaded.kind === "missing" || loaded.kind === "empty") continue;
    if (loaded.kind === "failed") return { source: { kind: "unreadable", file, via: "search" }, issues: [{ path: "", message: loaded.message, file }] };
    return { source: { kind: "file", file, via: "search", config: loaded.config }, issues: [] };
  }
  if (options.inline !== undefined) return { source: { kind: "inline", config: options.inline }, issues: [] };
  return { source: { kind: "none", searched: SEARCH_PLACES.map((place) => resolve(options.appRoot, place)) }, issues: [] };
}

/** What {@link loadConfigFile} found at one path. */
type FileLoad = { readonly kind: "loaded"; readonly config: unknown } | { readonly kind: "empty" } | { readonly kind: "missing" } | { readonly kind: "failed"; readonly message: string };

/** Extensions whose files are JavaScript or TypeScript modules: reading them runs their code. */
const CODE_EXTENSIONS: ReadonlySet<string> = new Set([".js", ".cjs", ".mjs", ".ts"]);

/**
 * True when loading the file runs its code (`.js`, `.cjs`, `.mjs`, `.ts`), as `instrument()` and `llmops validate`
 * both do to read it.
 *
 * @param file - a config file's path
 */
export function runsCode(file: string): boolean {
  return CODE_EXTENSIONS.has(extname(file).toLowerCase());
}

/** Reads one candidate file (regular, bounded) and parses it by its name, as cosmiconfig would. */
async function loadConfigFile(file: string): Promise<FileLoad> {
  const read = readRegularFile(file, CONFIG_LIMITS.maxFileBytes);
  if (read.kind === "missing") return read;
  if (read.kind === "refused") return { kind: "failed", message: `could not read the configuration file ${file}: ${read.reason}` };
  // A byte-order mark is no part of the text: JSON.parse refuses it, js-yaml skips it.
  const text = read.text.replace(/^\uFEFF/, "");
  const name = basename(file);
  const extension = extname(name).toLowerCase();
  if (name === "package.json") {
    // Most apps' package.json has no llmops key: not parsed then, so a package.json other tools tolerate stays quiet.
    if (!text.includes('"llmops"')) return { kind: "empty" };
    const parsed = parseJson(text, file);
    if (parsed.kind !== "loaded") return parsed;
    const section = (parsed.config as { llmops?: unknown } | null)?.llmops;
    return section === undefined || section === null ? { kind: "empty" } : { kind: "loaded", config: section };
  }
  if (text.trim() === "") return { kind: "empty" };
  if (extension === ".json") return parseJson(text, file);
  try {
    const { defaultLoaders } = await import("cosmiconfig");
    if (extension === ".yaml" || extension === ".yml" || extension === "") return { kind: "loaded", config: defaultLoaders[".yaml"](file, text) };
    if (CODE_EXTENSIONS.has(extension)) {
      const loader = defaultLoaders[extension as ".js" | ".cjs" | ".mjs" | ".ts"];
      return { kind: "loaded", config: await loader(file, text) };
    }
  } catch (error) {
    return { kind: "failed", message: loadFailure(error, file) };
  }
  return { kind: "failed", message: `${file} has an extension llmops does not read (${extension}): name it .yaml, .yml, .json, .js, .cjs, .mjs or .ts` };
}

/** A YAML syntax error as `file:line:column: reason` (js-yaml's own message quotes the text, which may hold a secret). */
function loadFailure(error: unknown, file: string): string {
  const yaml = error as { name?: string; reason?: unknown; mark?: { line?: unknown; column?: unknown } };
  if (yaml.name === "YAMLException" && typeof yaml.reason === "string" && typeof yaml.mark?.line === "number" && typeof yaml.mark.column === "number") {
    return `YAML syntax error at ${file}:${yaml.mark.line + 1}:${yaml.mark.column + 1}: ${yaml.reason}`;
  }
  const message = firstLineOf(error);
  return `could not load the configuration file ${file}: ${message}`;
}

/** Parses JSON; a syntax error names the file, line, column and reason, never the text around it. */
function parseJson(text: string, file: string): FileLoad {
  try {
    return { kind: "loaded", config: JSON.parse(text) as unknown };
  } catch {
    const { offset, reason } = jsonSyntaxError(text);
    const before = text.slice(0, offset);
    const line = before.split("\n").length;
    const column = offset - before.lastIndexOf("\n");
    return { kind: "failed", message: `JSON syntax error at ${file}:${line}:${column}: ${reason}` };
  }
}

function emptyToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
