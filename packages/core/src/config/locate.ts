import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import type { ConfigIssue } from "../errors/llmops-error";

/** Where the configuration came from. */
export type ConfigSource =
  | { readonly kind: "file"; readonly file: string; readonly via: "option" | "LLMOPS_CONFIG_PATH" | "search"; readonly config: unknown }
  | { readonly kind: "inline"; readonly config: unknown }
  | { readonly kind: "none"; readonly searched: readonly string[] };

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
 */
export async function locateConfig(options: LocateOptions): Promise<{ source: ConfigSource; issues: ConfigIssue[] }> {
  const explicit = options.configPath ?? emptyToUndefined(options.env.LLMOPS_CONFIG_PATH);
  const via = options.configPath !== undefined ? "option" : "LLMOPS_CONFIG_PATH";
  if (explicit === undefined && !mayHoldConfig(options.appRoot)) return notFound(options);
  const { cosmiconfig } = await import("cosmiconfig");
  const explorer = cosmiconfig("llmops", { searchPlaces: [...SEARCH_PLACES], searchStrategy: "none", cache: false });
  if (explicit !== undefined) {
    const file = isAbsolute(explicit) ? explicit : resolve(options.appRoot, explicit);
    if (!existsSync(file)) {
      const from = via === "option" ? "configPath" : "LLMOPS_CONFIG_PATH";
      return { source: { kind: "none", searched: [file] }, issues: [{ path: "", message: `configuration file not found (${from} = ${explicit}, resolved to ${file})`, file }] };
    }
    try {
      const loaded = await explorer.load(file);
      return { source: { kind: "file", file, via, config: loaded?.config ?? {} }, issues: [] };
    } catch (error) {
      return { source: { kind: "none", searched: [file] }, issues: [parseIssue(error, file)] };
    }
  }
  try {
    const found = await explorer.search(options.appRoot);
    if (found !== null && found.isEmpty !== true) return { source: { kind: "file", file: found.filepath, via: "search", config: found.config }, issues: [] };
  } catch (error) {
    const file = (error as { filepath?: string }).filepath;
    return { source: { kind: "none", searched: [] }, issues: [parseIssue(error, file)] };
  }
  return notFound(options);
}

/** No file: the inline configuration when there is one, else none, with the places searched. */
function notFound(options: LocateOptions): { source: ConfigSource; issues: ConfigIssue[] } {
  if (options.inline !== undefined) return { source: { kind: "inline", config: options.inline }, issues: [] };
  return { source: { kind: "none", searched: SEARCH_PLACES.map((place) => resolve(options.appRoot, place)) }, issues: [] };
}

/**
 * Whether the search of the app root could find anything: one of the files exists, or package.json mentions
 * `llmops` (or cannot be read as text). When not, cosmiconfig and its parsers are never loaded; an app configured
 * inline or through the environment does not pay for them.
 */
function mayHoldConfig(appRoot: string): boolean {
  for (const place of SEARCH_PLACES) {
    if (place === "package.json") continue;
    if (existsSync(resolve(appRoot, place))) return true;
  }
  try {
    return readFileSync(resolve(appRoot, "package.json"), "utf8").includes('"llmops"');
  } catch (error) {
    return (error as { code?: string }).code !== "ENOENT";
  }
}

function parseIssue(error: unknown, file: string | undefined): ConfigIssue {
  const message = error instanceof Error ? error.message.split("\n")[0] ?? error.message : String(error);
  return { path: "", message: `could not read the configuration file: ${message}`, ...(file === undefined ? {} : { file }) };
}

function emptyToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === "" ? undefined : value;
}
