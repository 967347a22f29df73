import type { Platform } from "../contract/platform";
import { messageOf } from "../errors/error-message";
import { isSecretPath } from "../helpers/redact";
import { checkPackage } from "./package-checks";

/**
 * What {@link checkPlatform} checks a platform with. Only `sampleSection` is needed; each other option turns on the
 * checks that need it.
 *
 * @example
 * ```ts
 * const params: ConformanceParams = {
 *   sampleSection: { endpoint: "http://127.0.0.1:4318", api_key: "k-123456" },
 *   brokenSection: { endpoint: 42 },
 *   sectionFor: (endpoint) => ({ endpoint, api_key: "k-123456" }),
 *   packageDirectory: new URL("..", import.meta.url).pathname,
 * };
 * ```
 */
export interface ConformanceParams {
  /** A valid section, e.g. the example of the platform's README: the schema must accept it. */
  readonly sampleSection: unknown;
  /** An invalid section: the schema must reject it with an issue that names the key (a path). */
  readonly brokenSection?: unknown;
  /**
   * A valid section that sends spans to `endpoint` (an OTLP/HTTP base URL such as `http://127.0.0.1:4318`; append
   * `/v1/traces` if the platform wants the full URL). With `packageDirectory`, the kit runs a receiver and checks that
   * a span arrives, that permissive mode with nothing listening never throws and settles, and that a receiver answering
   * 401 is counted as a failed export.
   */
  readonly sectionFor?: (endpoint: string) => unknown;
  /**
   * The package's folder (where its package.json is): turns on the checks of the package as an app installs it, each
   * in a fresh Node process: the `llmops.platform` field, discovery from an app that depends on it, that importing it
   * loads no OpenTelemetry SDK, exporter or transport, and, with `sectionFor`, the export checks above.
   */
  readonly packageDirectory?: string;
  /** Strings that must never appear in what the checks make the platform print; the sample section's values at secret-looking keys (`api_key`, `token`, ...) are added. */
  readonly secrets?: readonly string[];
}

/** What {@link checkPlatform} found wrong; empty when the platform keeps the contract. */
export interface ConformanceReport {
  /** True when there are no problems. */
  readonly ok: boolean;
  /** One line per broken rule. */
  readonly problems: readonly string[];
}

/**
 * The conformance kit for platform authors: checks a platform object against the contract, and, given a sample
 * section, that the schema accepts it, that an empty section is reported (not thrown), and that the provider
 * it builds creates and ends a span, and that its flush and shutdown settle (the sample endpoint need not be up).
 * With more {@link ConformanceParams}: that a broken section is rejected with paths, and the package as an app
 * installs it (field, discovery, a light import, a span exported to the kit's receiver, permissive mode, no secret
 * printed).
 *
 * @param platform - the platform object
 * @param params - the sample section and the options of the further checks
 *
 * @example
 * ```ts
 * import { checkPlatform } from "@llmops/core/testing";
 * import { platform } from "../src/platform"; // your platform package's own source
 *
 * test("keeps the platform contract", async () => {
 *   const report = await checkPlatform(platform, { sampleSection: { endpoint: "http://127.0.0.1:4318/v1/traces" } });
 *   expect(report.problems).toEqual([]);
 * });
 * ```
 */
export async function checkPlatform(platform: Platform, params: ConformanceParams): Promise<ConformanceReport> {
  const problems: string[] = [];
  const check = (condition: boolean, problem: string): void => {
    if (!condition) problems.push(problem);
  };
  check(typeof platform.name === "string" && /^[a-z][a-z0-9-]*$/.test(platform.name), "name must be a lower-case identifier (a-z, 0-9, -)");
  check(typeof platform.configSection === "string" && platform.configSection !== "", "configSection must be a non-empty string");
  check(typeof platform.packageName === "string" && platform.packageName !== "", "packageName must name the npm package, for install hints");
  check(typeof platform.createTracerProvider === "function", "createTracerProvider must be a function");
  check(Array.isArray(platform.instrumentors), "instrumentors must be an array");
  const keys = new Set<string>();
  for (const spec of Array.isArray(platform.instrumentors) ? platform.instrumentors : []) {
    check(typeof spec.key === "string" && spec.key !== "", `an instrumentor has no key`);
    check(!keys.has(spec.key), `instrumentor key "${spec.key}" appears twice`);
    keys.add(spec.key);
    check(
      typeof spec.packageName === "string" && typeof spec.exportName === "string" && typeof spec.moduleName === "string",
      `instrumentor "${spec.key}" needs packageName, exportName and moduleName`,
    );
    for (const more of spec.moreModules ?? []) {
      check(
        typeof more?.moduleName === "string" && more.moduleName !== "" && more.moduleName !== spec.moduleName,
        `instrumentor "${spec.key}" has a moreModules entry without a module name of its own`,
      );
    }
  }
  for (const override of platform.environment ?? []) {
    check(/^[A-Z][A-Z0-9_]*$/.test(override.variable), `environment variable "${override.variable}" should be UPPER_SNAKE_CASE`);
  }
  const v = await import("../config/valibot");
  try {
    const sample = v.safeParse(platform.schema, params.sampleSection);
    check(sample.success, `schema rejects the sample section: ${sample.success ? "" : sample.issues.map((issue) => issue.message).join("; ")}`);
    v.safeParse(platform.schema, {});
    v.safeParse(platform.schema, 42);
    if (params.brokenSection !== undefined) {
      const broken = v.safeParse(platform.schema, params.brokenSection);
      if (broken.success) problems.push("schema accepts the broken section");
      else if (!broken.issues.every((issue) => (v.getDotPath(issue) ?? "") !== "")) problems.push("schema rejects the broken section with an issue that names no key (no path)");
    }
  } catch (error) {
    problems.push(`schema throws instead of reporting issues: ${messageOf(error)}`);
  }
  if (problems.length === 0) await checkProvider(platform, v.parse(platform.schema, params.sampleSection), problems);
  if (problems.length === 0 && params.packageDirectory !== undefined) {
    await checkPackage(
      {
        platformName: platform.name,
        configSection: platform.configSection,
        packageDirectory: params.packageDirectory,
        ...(params.sectionFor === undefined ? {} : { sectionFor: params.sectionFor }),
        secrets: [...(params.secrets ?? []), ...secretValues(params.sampleSection, "")],
      },
      problems,
    );
  }
  return { ok: problems.length === 0, problems };
}

const SETTLE_MILLIS = 15_000;

/** True when the promise resolves or rejects within the time; throwing synchronously counts as settling. */
function settles(operation: () => Promise<void>, millis: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), millis);
    const done = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    try {
      operation().then(done, done);
    } catch {
      done();
    }
  });
}

async function checkProvider(platform: Platform, section: unknown, problems: string[]): Promise<void> {
  const { providerContext } = await import("../provider/provider-context");
  const service = { name: "llmops-conformance" };
  try {
    const provider = await platform.createTracerProvider(
      providerContext({ platformName: platform.name, config: { service, instrumentation: {}, validationMode: "strict", privacy: {}, section }, appRoot: process.cwd(), env: {} }),
    );
    for (const method of ["getTracer", "forceFlush", "shutdown"] as const) {
      if (typeof provider[method] !== "function") problems.push(`the provider has no ${method}()`);
    }
    if (problems.length > 0) return;
    provider.getTracer("llmops-conformance").startSpan("conformance").end();
    // The sample endpoint need not be reachable: an export failure may reject, but flush and shutdown must settle.
    for (const method of ["forceFlush", "shutdown"] as const) {
      const settled = await settles(() => provider[method](), SETTLE_MILLIS);
      if (!settled) problems.push(`${method}() did not settle within ${SETTLE_MILLIS / 1000} s`);
    }
  } catch (error) {
    problems.push(`createTracerProvider threw with a valid section: ${messageOf(error)}`);
  }
}

/** The string values at secret-looking keys of a section (`api_key`, `token`, `password`, ...). */
function secretValues(value: unknown, path: string): string[] {
  if (typeof value === "string") return isSecretPath(path) ? [value] : [];
  if (typeof value !== "object" || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) => secretValues(item, path === "" ? key : `${path}.${key}`));
}
