import { appendFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import { diag } from "@opentelemetry/api";
import type { DiagLogger } from "@opentelemetry/api";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
import { asError, messageOf } from "../internal/errors";
import { toSpanRecord } from "./span-record";

/**
 * `ExportResultCode` of `@opentelemetry/core`, by value: importing the enum would load an SDK module at import time,
 * and these two values are part of the exporter contract.
 */
const SUCCESS = 0;
const FAILED = 1;

/** The result handed to an exporter's callback (`ExportResult` of `@opentelemetry/core`). */
type ExportResultCallback = Parameters<SpanExporter["export"]>[1];

/** Options of {@link JsonlFileExporter}. */
export interface JsonlFileExporterOptions {
  /** Absolute folder of the files; created on the first write. */
  readonly directory: string;
  /** Where write failures are reported. Default: a `diag` component logger `llmops:local`. */
  readonly logger?: DiagLogger;
}

/**
 * A span exporter that appends one JSON line per span to `<directory>/<YYYY-MM-DD>.jsonl`
 * (the UTC date the span started). Writes are serialized through one promise chain, so lines of
 * two batches never interleave; a failed write fails that export (callback and `diag`), never throws.
 */
export class JsonlFileExporter implements SpanExporter {
  readonly #directory: string;
  readonly #logger: DiagLogger;
  #pending: Promise<void> = Promise.resolve();
  #directoryReady = false;
  #stopped = false;
  /** While writes keep failing (a full disk, say), only the first failure is an error; the rest are debug lines. */
  #failing = false;

  constructor(options: JsonlFileExporterOptions) {
    this.#directory = options.directory;
    this.#logger = options.logger ?? diag.createComponentLogger({ namespace: "llmops:local" });
  }

  /** The folder the files are written to. */
  get directory(): string {
    return this.#directory;
  }

  export(spans: ReadableSpan[], resultCallback: ExportResultCallback): void {
    if (this.#stopped) {
      settle(resultCallback, { code: FAILED, error: new Error("the local JSONL exporter is shut down") });
      return;
    }
    let files: Map<string, string>;
    try {
      files = this.#linesByFile(spans);
    } catch (error) {
      this.#logger.error(`could not serialize ${spans.length} span(s): ${messageOf(error)}`);
      settle(resultCallback, { code: FAILED, error: asError(error) });
      return;
    }
    this.#pending = this.#pending
      .then(() => this.#write(files))
      .then(
        () => {
          this.#failing = false;
          settle(resultCallback, { code: SUCCESS });
        },
        (error: unknown) => {
          this.#directoryReady = false;
          const message = `could not write ${spans.length} span(s) to ${this.#directory}: ${messageOf(error)}`;
          if (this.#failing) this.#logger.debug(message);
          else this.#logger.error(`${message} (further failures are logged at debug level until a write succeeds)`);
          this.#failing = true;
          settle(resultCallback, { code: FAILED, error: asError(error) });
        },
      );
  }

  /** Resolves when every write started so far has finished (successfully or not). Never rejects. */
  forceFlush(): Promise<void> {
    return this.#pending;
  }

  /** Waits for pending writes; later exports fail. Never rejects. */
  shutdown(): Promise<void> {
    this.#stopped = true;
    return this.#pending;
  }

  #linesByFile(spans: readonly ReadableSpan[]): Map<string, string> {
    const files = new Map<string, string>();
    for (const span of spans) {
      const record = toSpanRecord(span);
      const file = join(this.#directory, `${record.startTime.slice(0, 10)}.jsonl`); // YYYY-MM-DD of the ISO start time
      files.set(file, `${files.get(file) ?? ""}${JSON.stringify(record)}\n`);
    }
    return files;
  }

  async #write(files: ReadonlyMap<string, string>): Promise<void> {
    if (files.size === 0) return;
    if (!this.#directoryReady) {
      await mkdir(this.#directory, { recursive: true });
      this.#directoryReady = true;
    }
    for (const [file, text] of files) await appendFile(file, text, "utf8");
  }
}

/** Calls the SDK's callback; a callback that throws must not break the write chain. */
function settle(resultCallback: ExportResultCallback, result: { code: typeof SUCCESS | typeof FAILED; error?: Error }): void {
  try {
    resultCallback(result as Parameters<ExportResultCallback>[0]);
  } catch {
    // the processor's problem, not ours to rethrow
  }
}
