import type { SpanExporter } from "../contract/sdk-types";
import type { SpanExporterFactory } from "../contract/provider";
import { exportHttpAgent } from "./export-agent";
import { constructWithoutOtlpEnvironment } from "./otlp-environment";
import { loadOtlpExporters } from "../internal/otel-sdk";

/**
 * Options of {@link otlpHttpExporter}: every setting of the OTLP/HTTP exporter, explicit.
 *
 * @example
 * ```ts
 * const options: OtlpHttpExporterOptions = { url: "https://otlp.acme.example/v1/traces", headers: { authorization: "Bearer k" }, timeoutMillis: 10_000 };
 * ```
 */
export interface OtlpHttpExporterOptions {
  /** The URL spans are posted to, `/v1/traces` included. */
  readonly url: string;
  /** Headers of every export request, or a function giving them before each export (may hold secrets: never log them). */
  readonly headers?: Readonly<Record<string, string>> | (() => Promise<Record<string, string>>);
  /** The exporter's time limit for one export, retries included (the section's `timeout_ms`). */
  readonly timeoutMillis: number;
  /** `gzip` compresses export requests. Default `none`. */
  readonly compression?: "none" | "gzip";
  /** CA certificate(s) to trust (PEM), e.g. from {@link readCertificateFile}. */
  readonly ca?: string | undefined;
  /** False skips the server certificate check (testing only). Default true. */
  readonly rejectUnauthorized?: boolean;
  /** Client certificate chain (PEM) for mutual TLS; needs `clientKey`. */
  readonly clientCertificate?: string | undefined;
  /** Client private key (PEM) for mutual TLS. */
  readonly clientKey?: string | undefined;
  /** The body's encoding: `protobuf` (OTLP/HTTP protobuf, the default) or `json` (OTLP/HTTP JSON). Both ship with core. */
  readonly encoding?: "protobuf" | "json";
}

/**
 * The exporter factory of an OTLP/HTTP protobuf platform, for `assembleTracerProvider({ exporters: [...] })`: the
 * exporter module loads when core calls it (at the first export; in strict mode inside `instrument()`). The exporter
 * gets every setting from `options` and none from `OTEL_EXPORTER_OTLP_*` (llmops has applied those by its own
 * precedence; they must not add another vendor's headers or a TLS identity), and core's HTTP agent, so that at core's
 * export deadline (or an exit that cannot wait) the export's connection is ended.
 *
 * @param options - URL, headers, time limit, compression, TLS
 * @returns the factory `() => Promise<SpanExporter>`
 *
 * @example
 * ```ts
 * import { otlpHttpExporter } from "@llmops/core/otlp";
 * const exporter = otlpHttpExporter({ url: "https://otlp.acme.example/v1/traces", headers: { authorization: "Bearer k" }, timeoutMillis: 10_000 });
 * // assembleTracerProvider({ exporters: [exporter], exportTimeoutMillis: 10_000 })
 * ```
 */
export function otlpHttpExporter(options: OtlpHttpExporterOptions): SpanExporterFactory {
  const headers = typeof options.headers === "function" ? options.headers : { ...options.headers };
  const tls = {
    ...(options.ca === undefined ? {} : { ca: options.ca }),
    ...(options.clientCertificate === undefined ? {} : { cert: options.clientCertificate }),
    ...(options.clientKey === undefined ? {} : { key: options.clientKey }),
    ...(options.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
  };
  return async () => {
    const { otlpTraceExporterClass } = await loadOtlpExporters();
    const OTLPTraceExporter = await otlpTraceExporterClass(options.encoding ?? "protobuf");
    return constructWithoutOtlpEnvironment(
      () =>
        new OTLPTraceExporter({
          url: options.url,
          headers,
          timeoutMillis: options.timeoutMillis,
          compression: (options.compression ?? "none") as never,
          httpAgentOptions: exportHttpAgent(tls) as never,
        } as never),
    ) as unknown as SpanExporter;
  };
}
