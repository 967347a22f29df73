import type { ReadableSpan, SpanExporter } from "../contract/sdk-types";
import type { SpanExporterFactory } from "../contract/provider";
import { EXPORT_FAILED as FAILED } from "./export-result";
import { asError } from "../errors/error-message";

/**
 * An exporter that creates the real one on its first export (or flush), not at start-up: the OTLP exporter's modules
 * take longer to load than the rest of the tracing pipeline, and an app that has nothing to export yet need not wait
 * for them. Spans wait in the batch processor's queue meanwhile, as they would for a slow backend.
 *
 * If creating the exporter fails, that batch and every later one fail with the reason ("the exporter could not be
 * created: …"), and the {@link ReportingExporter} around this one counts and warns as for any failed export. The
 * factory is called once; a failure is not retried (a module that did not load will not load on the next try).
 * `shutdown()` before any export creates nothing.
 */
export class DeferredExporter implements SpanExporter {
  private exporter: SpanExporter | undefined;
  private creating: Promise<SpanExporter> | undefined;

  /** @param create - builds the real exporter; called at most once */
  constructor(private readonly create: SpanExporterFactory) {}

  /** Whether the real exporter has been asked for (tests and diagnostics). */
  get started(): boolean {
    return this.creating !== undefined;
  }

  export(spans: ReadableSpan[], resultCallback: (result: { code: number; error?: Error }) => void): void {
    if (this.exporter !== undefined) {
      this.exporter.export(spans, resultCallback);
      return;
    }
    this.real().then(
      (exporter) => {
        try {
          exporter.export(spans, resultCallback);
        } catch (error) {
          resultCallback({ code: FAILED, error: asError(error) });
        }
      },
      (error: unknown) => resultCallback({ code: FAILED, error: asError(error) }),
    );
  }

  forceFlush(): Promise<void> {
    if (this.exporter !== undefined) return this.exporter.forceFlush?.() ?? Promise.resolve();
    if (this.creating === undefined) return Promise.resolve();
    return this.creating.then(
      (exporter) => exporter.forceFlush?.(),
      () => undefined,
    );
  }

  shutdown(): Promise<void> {
    if (this.exporter !== undefined) return this.exporter.shutdown();
    if (this.creating === undefined) return Promise.resolve();
    return this.creating.then(
      (exporter) => exporter.shutdown(),
      () => undefined,
    );
  }

  private real(): Promise<SpanExporter> {
    this.creating ??= Promise.resolve()
      .then(this.create)
      .then(
        (exporter) => {
          this.exporter = exporter;
          return exporter;
        },
        (error: unknown) => {
          throw new Error(`the exporter could not be created: ${asError(error).message}`, { cause: error });
        },
      );
    return this.creating;
  }
}
