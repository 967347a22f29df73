import type { ConfigIssue } from "../errors/llmops-error";

/** The result of {@link substituteVariables}. */
export interface SubstitutionResult {
  /** The configuration with every reference replaced. */
  readonly value: unknown;
  /** Unset variables referenced without a default, one issue per reference. */
  readonly issues: readonly ConfigIssue[];
  /** Dotted paths whose value came (in whole or part) from a variable: their values are never printed. */
  readonly substitutedPaths: ReadonlySet<string>;
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
  const issues: ConfigIssue[] = [];
  const substitutedPaths = new Set<string>();

  const visit = (value: unknown, path: string): unknown => {
    if (typeof value === "string") return substituteString(value, path);
    if (Array.isArray(value)) return value.map((item, index) => visit(item, join(path, String(index))));
    if (typeof value === "object" && value !== null) {
      const result: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(value)) result[key] = visit(item, join(path, key));
      return result;
    }
    return value;
  };

  const substituteString = (text: string, path: string): unknown => {
    if (!text.includes("${")) return text;
    let referenced = false;
    const replaced = text.replace(REFERENCE, (match, name: string | undefined, fallback: string | undefined) => {
      if (name === undefined) return "${"; // the $${ escape
      referenced = true;
      const current = env[name];
      if (fallback !== undefined) return current === undefined || current === "" ? fallback : current;
      if (current === undefined) {
        issues.push({
          path,
          message: `references the environment variable ${name}, which is not set`,
          expected: `${name} to be set, or a default: \${${name}:-value}`,
          ...(file === undefined ? {} : { file }),
        });
        return "";
      }
      return current;
    });
    if (!referenced) return replaced;
    substitutedPaths.add(path);
    const whole = /^\$\{[A-Za-z_][A-Za-z0-9_]*(?::-[^}]*)?\}$/.test(text);
    if (whole && (replaced === "true" || replaced === "false")) return replaced === "true";
    return replaced;
  };

  return { value: visit(config, ""), issues, substitutedPaths };
}

function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}
