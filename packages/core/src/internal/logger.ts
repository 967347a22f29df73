import { diag, DiagConsoleLogger, DiagLogLevel } from "@opentelemetry/api";
import type { DiagLogger } from "@opentelemetry/api";
import { globalState } from "./global-state";

/** The llmops component logger: every message goes through OpenTelemetry's `diag`. */
export const logger: DiagLogger = diag.createComponentLogger({ namespace: "llmops" });

/** A logger for one platform or module, e.g. `llmops:arize`. */
export function componentLogger(name: string): DiagLogger {
  return diag.createComponentLogger({ namespace: `llmops:${name}` });
}

/** Logs a warning once per process for a given key. */
export function warnOnce(key: string, message: string): void {
  const { warned } = globalState();
  if (warned.has(key)) return;
  warned.add(key);
  logger.warn(message);
}

const LEVELS: Record<string, DiagLogLevel> = {
  NONE: DiagLogLevel.NONE,
  ERROR: DiagLogLevel.ERROR,
  WARN: DiagLogLevel.WARN,
  INFO: DiagLogLevel.INFO,
  DEBUG: DiagLogLevel.DEBUG,
  VERBOSE: DiagLogLevel.VERBOSE,
  ALL: DiagLogLevel.ALL,
};

/**
 * Makes llmops's warnings visible when the app has not set a `diag` logger of its own:
 * installs the API's console logger at `LLMOPS_LOG_LEVEL` or `OTEL_LOG_LEVEL` (default WARN).
 * An app that called `diag.setLogger` keeps its logger.
 */
export function ensureDiagLogger(env: Readonly<Record<string, string | undefined>>): void {
  const api = (globalThis as Record<symbol, { diag?: unknown } | undefined>)[Symbol.for("opentelemetry.js.api.1")];
  if (api?.diag !== undefined) return;
  const name = (env.LLMOPS_LOG_LEVEL ?? env.OTEL_LOG_LEVEL ?? "WARN").toUpperCase();
  diag.setLogger(new DiagConsoleLogger(), { logLevel: LEVELS[name] ?? DiagLogLevel.WARN, suppressOverrideMessage: true });
}
