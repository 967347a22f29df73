import type { DiagLogger } from "@opentelemetry/api";
import { formatWithOptions } from "node:util";
import { globalState } from "./global-state";
import { loadedOtelApi } from "./otel-api";
import type { OtelApi } from "./otel-api";
import { redactSecrets } from "../helpers/redact";

type Level = "error" | "warn" | "info" | "debug" | "verbose";

/**
 * The `diag` logger registered in the API's global slot, which every copy of `@opentelemetry/api` 1.x shares. Before
 * core has loaded the API itself, messages go straight there, the way the API's component loggers send them.
 */
function registeredDiag(): Partial<Record<Level, (...args: unknown[]) => void>> | undefined {
  const slot = (globalThis as Record<symbol, { diag?: Partial<Record<Level, (...args: unknown[]) => void>> } | undefined>)[Symbol.for("opentelemetry.js.api.1")];
  return slot?.diag;
}

/** A component logger of `diag` that needs the API loaded only once there is something to log. */
class ComponentLogger implements DiagLogger {
  private inner: DiagLogger | undefined;

  constructor(private readonly namespace: string) {}

  error(message: string, ...args: unknown[]): void {
    this.log("error", message, args);
  }

  warn(message: string, ...args: unknown[]): void {
    this.log("warn", message, args);
  }

  info(message: string, ...args: unknown[]): void {
    this.log("info", message, args);
  }

  debug(message: string, ...args: unknown[]): void {
    this.log("debug", message, args);
  }

  verbose(message: string, ...args: unknown[]): void {
    this.log("verbose", message, args);
  }

  private log(level: Level, message: string, args: unknown[]): void {
    // Scrubbed here as well as in the console logger llmops installs: an app's own diag logger gets clean lines too.
    const text = redactedLine(message, args);
    const api = loadedOtelApi();
    if (api !== undefined) {
      this.inner ??= api.diag.createComponentLogger({ namespace: this.namespace });
      this.inner[level](text);
      return;
    }
    registeredDiag()?.[level]?.(this.namespace, text);
  }
}

/** One line of a message and its arguments, as the console would print them, with every known secret scrubbed. */
function redactedLine(message: unknown, args: readonly unknown[]): string {
  const text = args.length === 0 && typeof message === "string" ? message : formatWithOptions({ depth: 4, colors: false }, message, ...args);
  return redactSecrets(text);
}

/**
 * Wraps a diag logger so that every line, llmops's and the OpenTelemetry SDK's alike (an exporter's "non-retryable
 * error" quoting a server's status text, a header it could not use), is formatted to one string and scrubbed of
 * every known secret before it is printed.
 */
function redactingLogger(inner: DiagLogger): DiagLogger {
  const forward =
    (level: Level) =>
    (message: string, ...args: unknown[]): void => {
      inner[level](redactedLine(message, args));
    };
  return { error: forward("error"), warn: forward("warn"), info: forward("info"), debug: forward("debug"), verbose: forward("verbose") };
}

/** The llmops component logger: every message goes through OpenTelemetry's `diag`. */
export const logger: DiagLogger = new ComponentLogger("llmops");

/** A logger for one platform or module, e.g. `llmops:arize`. */
export function componentLogger(name: string): DiagLogger {
  return new ComponentLogger(`llmops:${name}`);
}

/** Logs a warning once per process for a given key. */
export function warnOnce(key: string, message: string): void {
  const { warned } = globalState();
  if (warned.has(key)) return;
  warned.add(key);
  logger.warn(message);
}

/** The `diag` logger {@link ensureDiagLogger} put in the global slot, and whether it prints debug lines. */
let installedConsole: { readonly diag: object; readonly debug: boolean } | undefined;

/**
 * Makes llmops's warnings visible when the app has not set a `diag` logger of its own:
 * installs the API's console logger at `LLMOPS_LOG_LEVEL` or `OTEL_LOG_LEVEL` (default WARN).
 * An app that called `diag.setLogger` keeps its logger.
 */
export function ensureDiagLogger(otel: OtelApi, env: Readonly<Record<string, string | undefined>>): void {
  if (registeredDiag() !== undefined) return;
  const { DiagLogLevel } = otel;
  const levels: Record<string, number> = {
    NONE: DiagLogLevel.NONE,
    ERROR: DiagLogLevel.ERROR,
    WARN: DiagLogLevel.WARN,
    INFO: DiagLogLevel.INFO,
    DEBUG: DiagLogLevel.DEBUG,
    VERBOSE: DiagLogLevel.VERBOSE,
    ALL: DiagLogLevel.ALL,
  };
  const name = (env.LLMOPS_LOG_LEVEL ?? env.OTEL_LOG_LEVEL ?? "WARN").toUpperCase();
  const logLevel = levels[name] ?? DiagLogLevel.WARN;
  otel.diag.setLogger(redactingLogger(new otel.DiagConsoleLogger()), { logLevel, suppressOverrideMessage: true });
  const diag = registeredDiag();
  installedConsole = diag === undefined ? undefined : { diag, debug: logLevel >= DiagLogLevel.DEBUG };
}

/**
 * Whether a debug line can reach anyone, for messages whose making costs more than a string: false when no logger is
 * set, or while the one in place is the console logger llmops installed at a level above debug. An app's own logger
 * filters by a level of its own, so it counts as listening.
 */
export function debugMayBeLogged(): boolean {
  const diag = registeredDiag();
  if (diag === undefined) return false;
  return installedConsole?.diag !== diag || installedConsole.debug;
}
