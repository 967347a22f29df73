import { diag, DiagLogLevel } from "@opentelemetry/api";
import type { DiagLogger } from "@opentelemetry/api";

/** Messages logged through diag while a capture is active. */
export interface CapturedLogs {
  /** One entry per call, `<level> <message> <arguments…>`; an Error argument is written as its message. */
  readonly messages: string[];
  /** The messages, one a line. */
  text(): string;
  /** Turns diag off again. */
  restore(): void;
}

/**
 * Sends diag to an array (all levels), so tests can read what the user would see. A component logger passes its
 * namespace as the first argument: every argument is kept.
 */
export function captureDiag(): CapturedLogs {
  const messages: string[] = [];
  const push =
    (level: string) =>
    (message: string, ...args: unknown[]) => {
      messages.push(`${level} ${message}${args.length > 0 ? ` ${args.map((arg) => (arg instanceof Error ? arg.message : String(arg))).join(" ")}` : ""}`);
    };
  const logger: DiagLogger = { error: push("error"), warn: push("warn"), info: push("info"), debug: push("debug"), verbose: push("verbose") };
  diag.setLogger(logger, { logLevel: DiagLogLevel.ALL, suppressOverrideMessage: true });
  return {
    messages,
    text: () => messages.join("\n"),
    restore: () => diag.disable(),
  };
}
