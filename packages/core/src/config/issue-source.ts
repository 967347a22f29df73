import type { ConfigIssue } from "../errors/llmops-error";
import { EXPLICIT_SOURCE } from "./environment";
import type { OverrideSources } from "./environment";

/** Where the values of a resolved configuration came from, other than the file itself. */
export interface ValueSources {
  /** Per dotted path, the variable (or `instrument({ overrides })`) that set it over the file. */
  readonly overrides: OverrideSources;
  /** Per dotted path, the set variables a `${VAR}` reference of the file brought in. */
  readonly substituted: ReadonlyMap<string, readonly string[]>;
}

/**
 * Names the source of the value an issue is about, when it is not the file: an environment override drops the file
 * (the file does not hold that value, and may hold none) and names its variable; a `${VAR}` reference keeps the file
 * (the reference is written there) and names the variables it read. An issue about a key no variable set is returned
 * as it is.
 */
export function attributeIssue(issue: ConfigIssue, sources: ValueSources): ConfigIssue {
  const override = sourceOf(sources.overrides, issue.path);
  if (override !== undefined) {
    const rest: { -readonly [Key in keyof ConfigIssue]: ConfigIssue[Key] } = { ...issue };
    delete rest.file;
    // Values given in code are no variable: the issue only stops naming the file.
    return override === EXPLICIT_SOURCE ? rest : { ...rest, variable: override };
  }
  const substituted = sourceOf(sources.substituted, issue.path);
  return substituted === undefined ? issue : { ...issue, variable: substituted.join(", ") };
}

/** The source recorded for the path, or for the key holding it (a variable sets a whole key, such as `headers`). */
function sourceOf<T>(sources: ReadonlyMap<string, T>, path: string): T | undefined {
  if (path === "") return undefined;
  const exact = sources.get(path);
  if (exact !== undefined) return exact;
  const parts = path.split(".");
  for (let end = parts.length - 1; end > 0; end--) {
    const found = sources.get(parts.slice(0, end).join("."));
    if (found !== undefined) return found;
  }
  return undefined;
}
