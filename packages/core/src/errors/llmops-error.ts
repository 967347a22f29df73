import { redactFields, redactSecrets } from "../helpers/redact";

/** Process-wide key of the set of kinds an llmops error carries; `Symbol.for` so two copies of core agree. */
const KINDS = Symbol.for("llmops.error.kinds");

/**
 * Base class of every error llmops throws. Its `name` is stable, `cause` keeps the underlying error,
 * and {@link LlmopsError.isInstance} holds across two installed copies of `@llmops/core`.
 *
 * @example
 * ```ts
 * try {
 *   await getPlatform("arize").instrument({ validationMode: "strict" });
 * } catch (error) {
 *   if (LlmopsError.isInstance(error)) console.error(error.name, error.message);
 * }
 * ```
 */
export class LlmopsError extends Error {
  /**
   * @param message - what went wrong and how to fix it; every secret llmops knows of is scrubbed from it (a server's
   *   answer quoted in it may echo a credential), so the stack trace carries none either
   * @param options - `cause`: the error underneath, kept for debugging
   */
  constructor(message: string, options?: { cause?: unknown }) {
    super(redactSecrets(message), options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "LlmopsError";
    LlmopsError.markKind(this, "LlmopsError");
  }

  /** True for an error thrown by any copy of `@llmops/core`, whatever its subclass. */
  static isInstance(error: unknown): error is LlmopsError {
    return LlmopsError.hasMarker(error, "LlmopsError");
  }

  /**
   * Marks `error` as being of `kind`, under a process-wide `Symbol.for` key, so that {@link LlmopsError.hasMarker}
   * recognises it whichever copy of the package created it. A subclass in any package calls it in its constructor;
   * a kind from outside core is best prefixed with its package name, so two packages never claim one kind.
   *
   * @param error - the error being constructed (`this`)
   * @param kind - the stable name of the kind, e.g. `"@acme/llmops-platform-acme/UploadError"`
   *
   * @example
   * ```ts
   * import { LlmopsError } from "@llmops/core";
   *
   * const KIND = "@acme/llmops-platform-acme/UploadError";
   * export class UploadError extends LlmopsError {
   *   constructor(message: string, options?: { cause?: unknown }) {
   *     super(message, options);
   *     this.name = "UploadError";
   *     LlmopsError.markKind(this, KIND);
   *   }
   *   static override isInstance(error: unknown): error is UploadError {
   *     return LlmopsError.hasMarker(error, KIND);
   *   }
   * }
   * ```
   */
  protected static markKind(error: object, kind: string): void {
    const holder = error as { [KINDS]?: Set<string> };
    if (holder[KINDS] === undefined) Object.defineProperty(error, KINDS, { value: new Set<string>(), enumerable: false });
    holder[KINDS]?.add(kind);
  }

  /**
   * True when `error` was marked as `kind` by {@link LlmopsError.markKind}, by any copy of the package that defines
   * the kind: what a subclass's `static isInstance` returns.
   *
   * @param error - anything caught
   * @param kind - the kind's stable name, as given to {@link LlmopsError.markKind}
   *
   * @example
   * ```ts
   * static override isInstance(error: unknown): error is UploadError {
   *   return LlmopsError.hasMarker(error, "@acme/llmops-platform-acme/UploadError");
   * }
   * ```
   */
  protected static hasMarker(error: unknown, kind: string): boolean {
    if (typeof error !== "object" || error === null) return false;
    const kinds = (error as { [KINDS]?: unknown })[KINDS];
    return kinds instanceof Set && kinds.has(kind);
  }
}

/**
 * One problem found in the configuration: where it is, what was expected, what was found, and where the value came
 * from. `received` never holds a secret: values of secret-looking keys and of environment variables are redacted.
 */
export interface ConfigIssue {
  /** Dotted path of the key, e.g. `arize.endpoint`; empty for the whole file. */
  readonly path: string;
  /** A readable statement of the problem. */
  readonly message: string;
  /** What the key should hold, e.g. `string`, `"http" | "grpc"`. */
  readonly expected?: string;
  /** What it holds, redacted where it could be a secret. */
  readonly received?: string;
  /**
   * The file the value came from, when it came from a file; with {@link ConfigIssue.variable}, the file whose
   * `${VAR}` reference read the variable. Absent when an environment variable (or `instrument({ overrides })`) set
   * the key over the file: the file does not hold that value.
   */
  readonly file?: string;
  /**
   * The environment variable the value came from, e.g. `ARIZE_COLLECTOR_ENDPOINT`: one that overrides the key, or the
   * one a `${VAR}` reference in {@link ConfigIssue.file} read (several names, comma-separated, when the string
   * referenced several). Absent when no variable gave the value.
   */
  readonly variable?: string;
}

/**
 * How a config issue names where its value came from, for messages: `(from VAR)` for a variable that overrode the
 * key, `(from VAR, referenced in <file>)` for a `${VAR}` of the file; empty when no variable gave the value.
 */
export function variableSource(issue: ConfigIssue): string {
  if (issue.variable === undefined) return "";
  return issue.file === undefined ? ` (from ${issue.variable})` : ` (from ${issue.variable}, referenced in ${issue.file})`;
}

/**
 * The configuration could not be used. In strict mode `instrument()` throws one of these listing every issue at once.
 *
 * @example
 * ```ts
 * import { ConfigurationError } from "@llmops/core";
 * try {
 *   await getPlatform("local").instrument({ validationMode: "strict" });
 * } catch (error) {
 *   if (ConfigurationError.isInstance(error)) for (const issue of error.issues) console.error(issue.path, issue.message);
 * }
 * ```
 */
export class ConfigurationError extends LlmopsError {
  /** Every problem found, in file order. */
  readonly issues: readonly ConfigIssue[];

  /**
   * @param issues - every problem found
   * @param options - `cause`: the error underneath; `summary`: a first line in place of the default one
   */
  constructor(issues: readonly ConfigIssue[], options?: { cause?: unknown; summary?: string }) {
    const redacted = issues.map((issue) => redactFields(issue));
    super(formatIssues(redacted, options?.summary), options);
    this.name = "ConfigurationError";
    LlmopsError.markKind(this, "ConfigurationError");
    this.issues = redacted;
  }

  /** True for a `ConfigurationError` from any copy of `@llmops/core`. */
  static override isInstance(error: unknown): error is ConfigurationError {
    return LlmopsError.hasMarker(error, "ConfigurationError");
  }
}

/**
 * A package llmops needs is not installed: a platform, or a module a platform depends on.
 * The message carries the install line.
 *
 * @example
 * ```ts
 * try {
 *   getPlatform("arize");
 * } catch (error) {
 *   if (MissingDependencyError.isInstance(error)) console.error(error.installCommand);
 * }
 * ```
 */
export class MissingDependencyError extends LlmopsError {
  /** The npm package that is missing. */
  readonly packageName: string;
  /** The command that installs it, for the app's package manager. */
  readonly installCommand: string;

  /**
   * @param params.message - what needed the package
   * @param params.packageName - the missing package
   * @param params.installCommand - the line that installs it
   */
  constructor(params: { message: string; packageName: string; installCommand: string; cause?: unknown }) {
    super(`${params.message}\nInstall with: ${params.installCommand}`, { cause: params.cause });
    this.name = "MissingDependencyError";
    LlmopsError.markKind(this, "MissingDependencyError");
    this.packageName = params.packageName;
    this.installCommand = params.installCommand;
  }

  /** True for a `MissingDependencyError` from any copy of `@llmops/core`. */
  static override isInstance(error: unknown): error is MissingDependencyError {
    return LlmopsError.hasMarker(error, "MissingDependencyError");
  }
}

/**
 * No platform of that name is installed or registered. The message lists the names found and the install line.
 *
 * @example
 * ```ts
 * try {
 *   getPlatform("arize");
 * } catch (error) {
 *   if (PlatformNotFoundError.isInstance(error)) console.error(error.available);
 * }
 * ```
 */
export class PlatformNotFoundError extends MissingDependencyError {
  /** The platform name asked for. */
  readonly platformName: string;
  /** The platform names that were found. */
  readonly available: readonly string[];
  /** The found name closest to the one asked for, when one is close (a typo): `mlflow` for `mlfow`. */
  readonly suggestion: string | undefined;

  /**
   * @param params.platformName - the name asked for
   * @param params.available - the names found
   * @param params.suggestion - a found name close to the one asked for
   * @param params.packageName - the package that would provide it
   * @param params.installCommand - the line that installs it
   */
  constructor(params: { platformName: string; available: readonly string[]; packageName: string; installCommand: string; suggestion?: string }) {
    const found = params.available.length > 0 ? params.available.join(", ") : "none";
    const hint = params.suggestion === undefined ? "" : ` Did you mean "${params.suggestion}"? If "${params.platformName}" is a platform package of its own, install it.`;
    super({
      message: `No llmops platform named "${params.platformName}" is installed or registered (found: ${found}).${hint}`,
      packageName: params.packageName,
      installCommand: params.installCommand,
    });
    this.name = "PlatformNotFoundError";
    LlmopsError.markKind(this, "PlatformNotFoundError");
    this.platformName = params.platformName;
    this.available = params.available;
    this.suggestion = params.suggestion;
  }

  /** True for a `PlatformNotFoundError` from any copy of `@llmops/core`. */
  static override isInstance(error: unknown): error is PlatformNotFoundError {
    return LlmopsError.hasMarker(error, "PlatformNotFoundError");
  }
}

/**
 * Two installed packages declare a platform of the same name. The message names both. Thrown by `instrument()` in
 * strict mode only; permissive mode uses the package the documented rule picks (the first-party
 * `@llmops/platform-<name>`, then a package named `…llmops-platform-<name>`, then the first by name) and warns.
 *
 * @example
 * ```ts
 * try {
 *   getPlatform("acme");
 * } catch (error) {
 *   if (PlatformConflictError.isInstance(error)) console.error(error.packageNames);
 * }
 * ```
 */
export class PlatformConflictError extends LlmopsError {
  /** The platform name claimed twice. */
  readonly platformName: string;
  /** The packages that claim it. */
  readonly packageNames: readonly string[];

  /**
   * @param params.platformName - the name claimed twice
   * @param params.packageNames - the packages claiming it
   */
  constructor(params: { platformName: string; packageNames: readonly string[] }) {
    super(
      `Platform "${params.platformName}" is declared by more than one installed package: ${params.packageNames.join(" and ")}. ` +
        `Strict validation refuses to choose: remove one of them, or register the one you want with registerPlatform().`,
    );
    this.name = "PlatformConflictError";
    LlmopsError.markKind(this, "PlatformConflictError");
    this.platformName = params.platformName;
    this.packageNames = params.packageNames;
  }

  /** True for a `PlatformConflictError` from any copy of `@llmops/core`. */
  static override isInstance(error: unknown): error is PlatformConflictError {
    return LlmopsError.hasMarker(error, "PlatformConflictError");
  }
}

/**
 * An installed package declares the platform asked for, but cannot provide it: its package.json is not valid JSON, is
 * over the size llmops reads, has an unusable `llmops.platform` field, or its `entry` leads outside the package folder.
 * Reinstalling, or the package's author, fixes it; installing it again under the same version does not.
 *
 * @example
 * ```ts
 * try {
 *   await getPlatform("acme").load();
 * } catch (error) {
 *   if (PlatformBrokenError.isInstance(error)) console.error(error.packageName, error.reason);
 * }
 * ```
 */
export class PlatformBrokenError extends LlmopsError {
  /** The platform name asked for. */
  readonly platformName: string;
  /** The package that declares it. */
  readonly packageName: string;
  /** What is wrong with that package. */
  readonly reason: string;

  /**
   * @param params.platformName - the name asked for
   * @param params.packageName - the package declaring it
   * @param params.reason - what is wrong, e.g. `its package.json is not valid JSON (...)`
   * @param params.cause - the error underneath, if any
   */
  constructor(params: { platformName: string; packageName: string; reason: string; cause?: unknown }) {
    super(`Platform "${params.platformName}" is installed (${params.packageName}) but broken: ${params.reason}. Reinstall ${params.packageName}, or report it to its author.`, {
      cause: params.cause,
    });
    this.name = "PlatformBrokenError";
    LlmopsError.markKind(this, "PlatformBrokenError");
    this.platformName = params.platformName;
    this.packageName = params.packageName;
    this.reason = params.reason;
  }

  /** True for a `PlatformBrokenError` from any copy of `@llmops/core`. */
  static override isInstance(error: unknown): error is PlatformBrokenError {
    return LlmopsError.hasMarker(error, "PlatformBrokenError");
  }
}

/**
 * Why an HTTP request of llmops gave up: the overall deadline, the response-size cap, or the network.
 *
 * @example
 * ```ts
 * const failure: HttpRequestFailure | undefined = HttpRequestError.isInstance(error) ? error.failure : undefined;
 * ```
 */
export type HttpRequestFailure = "deadline" | "too-large" | "network";

/**
 * An HTTP request llmops made (a platform's REST lookup) that did not complete: the deadline passed, the answer was
 * larger than the cap, or the connection failed. The message names the request (method, URL without credentials or
 * query) and the limit; `cause` keeps the socket error.
 *
 * @example
 * ```ts
 * try {
 *   await boundedRequest("http://127.0.0.1:5000/api/2.0/mlflow/experiments/get-by-name", { deadlineMillis: 5_000 });
 * } catch (error) {
 *   if (HttpRequestError.isInstance(error) && error.failure === "deadline") console.error("the server is too slow");
 * }
 * ```
 */
export class HttpRequestError extends LlmopsError {
  /** What stopped the request. */
  readonly failure: HttpRequestFailure;

  /**
   * @param message - what happened, naming the request and the limit; never a secret
   * @param failure - what stopped the request
   * @param options - `cause`: the socket error, if any
   */
  constructor(message: string, failure: HttpRequestFailure, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "HttpRequestError";
    LlmopsError.markKind(this, "HttpRequestError");
    this.failure = failure;
  }

  /** True for an `HttpRequestError` from any copy of `@llmops/core`. */
  static override isInstance(error: unknown): error is HttpRequestError {
    return LlmopsError.hasMarker(error, "HttpRequestError");
  }
}

function formatIssues(issues: readonly ConfigIssue[], summary?: string): string {
  const head = summary ?? `Invalid llmops configuration (${issues.length} ${issues.length === 1 ? "issue" : "issues"}):`;
  const lines = issues.map((issue) => {
    const where = issue.path === "" ? "(config)" : issue.path;
    const detail: string[] = [];
    if (issue.expected !== undefined) detail.push(`expected ${issue.expected}`);
    if (issue.received !== undefined) detail.push(`received ${issue.received}`);
    const suffix = detail.length > 0 ? ` (${detail.join(", ")})` : "";
    const source = issue.variable !== undefined ? variableSource(issue) : issue.file === undefined ? "" : ` [${issue.file}]`;
    return `  - ${where}: ${issue.message}${suffix}${source}`;
  });
  return [head, ...lines].join("\n");
}
