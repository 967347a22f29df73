import type { ConfigIssue } from "../errors/llmops-error";
import { isForbiddenKey } from "./check-structure";

/** The result of {@link substituteVariables}. */
export interface SubstitutionResult {
  /** The configuration with every reference replaced. */
  readonly value: unknown;
  /** Unset variables referenced without a default, one issue per reference. */
  readonly issues: readonly ConfigIssue[];
  /** Dotted paths whose value came (in whole or part) from a variable: their values are never printed. */
  readonly substitutedPaths: ReadonlySet<string>;
  /**
   * Dotted paths whose value holds the value of a set variable, with the names of those variables (a default that
   * applied is not one): an issue about the value is then an issue about the variable.
   */
  readonly substitutedVariables: ReadonlyMap<string, readonly string[]>;
}

/** An unset variable referenced without a default, at a path relative to the value holding it. */
interface UnsetReference {
  readonly path: string;
  readonly name: string;
}

/** A string that referenced a variable, at a path relative to the value holding it; the set variables it took in. */
interface SubstitutedPath {
  readonly path: string;
  readonly variables: readonly string[];
}

/** A value after substitution; paths relative to it of the strings that referenced a variable, and of unset ones. */
interface Substituted {
  readonly value: unknown;
  readonly paths: readonly SubstitutedPath[];
  readonly unset: readonly UnsetReference[];
}

const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string of a configuration, as a shell would:
 * the default applies when the variable is unset or empty. `$${` is a literal `${`.
 * A string that is wholly one reference and resolves to `true` or `false` becomes a boolean.
 *
 * @param config - the configuration as loaded
 * @param env - the environment to read
 * @param file - the file it came from, for issues
 */
export function substituteVariables(config: unknown, env: Readonly<Record<string, string | undefined>>, file?: string): SubstitutionResult {
  // One result per distinct object: a YAML alias (or a value a JavaScript config uses twice) is substituted once and
  // shared in the result, so the work follows the size of the file, not the size of the tree its aliases stand for.
  // Paths and issues are kept relative to the object, so that a shared value is redacted (and an unset variable in
  // it reported) at each place it is used, in whichever section that is.
  const done = new Map<object, Substituted>();

  const visit = (value: unknown): Substituted => {
    if (typeof value === "string") return substituteString(value);
    if (typeof value !== "object" || value === null || value instanceof Date) return { value, paths: [], unset: [] };
    const known = done.get(value);
    if (known !== undefined) return known;
    const paths: SubstitutedPath[] = [];
    const unset: UnsetReference[] = [];
    const take = (item: unknown, key: string): unknown => {
      const inner = visit(item);
      for (const relative of inner.paths) paths.push({ path: join(key, relative.path), variables: relative.variables });
      for (const reference of inner.unset) unset.push({ path: join(key, reference.path), name: reference.name });
      return inner.value;
    };
    let result: unknown;
    if (Array.isArray(value)) {
      result = value.map((item, index) => take(item, String(index)));
    } else {
      const copy: Record<string, unknown> = {};
      // Such keys are reported by the structure check; copying them would set the copy's prototype.
      for (const [key, item] of Object.entries(value)) if (!isForbiddenKey(key)) copy[key] = take(item, key);
      result = copy;
    }
    const entry = { value: result, paths, unset };
    done.set(value, entry);
    return entry;
  };

  const substituteString = (text: string): Substituted => {
    if (!text.includes("${")) return { value: text, paths: [], unset: [] };
    let referenced = false;
    const unset: UnsetReference[] = [];
    const used: string[] = [];
    const replaced = text.replace(REFERENCE, (match, name: string | undefined, fallback: string | undefined) => {
      if (name === undefined) return "${"; // the $${ escape
      referenced = true;
      const current = env[name];
      if (fallback !== undefined && (current === undefined || current === "")) return fallback;
      if (current === undefined) {
        unset.push({ path: "", name });
        return "";
      }
      if (!used.includes(name)) used.push(name);
      return current;
    });
    if (!referenced) return { value: replaced, paths: [], unset };
    const whole = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}$/.test(text);
    return { value: whole && (replaced === "true" || replaced === "false") ? replaced === "true" : replaced, paths: [{ path: "", variables: used }], unset };
  };

  const top = visit(config);
  const issues = top.unset.map(({ path, name }): ConfigIssue => ({
    path,
    message: `references the environment variable ${name}, which is not set`,
    expected: `${name} to be set, or a default: \${${name}:-value}`,
    ...(file === undefined ? {} : { file }),
  }));
  const substitutedVariables = new Map<string, readonly string[]>();
  for (const { path, variables } of top.paths) if (variables.length > 0) substitutedVariables.set(path, variables);
  return { value: top.value, issues, substitutedPaths: new Set(top.paths.map(({ path }) => path)), substitutedVariables };
}

function join(path: string, key: string): string {
  if (key === "") return path;
  return path === "" ? key : `${path}.${key}`;
}
