import { appRequire, requireFrom } from "../internal/app-root";
import type { SpanExporter } from "../contract/sdk-types";
import type { SpanExporterFactory } from "../contract/provider";
import { MissingDependencyError } from "../errors/llmops-error";
import { installCommand } from "../helpers/install-command";
import { constructWithoutOtlpEnvironment } from "./otlp-environment";

/**
 * The optional peer that carries OTLP over gRPC. It is resolved from the app, never bundled: it brings
 * `@grpc/grpc-js`, which an app that exports over HTTP should not pay for.
 *
 * @example
 * ```ts
 * import { GRPC_EXPORTER_PACKAGE } from "@llmops/core/otlp";
 * console.log(`npm install ${GRPC_EXPORTER_PACKAGE}`);
 * ```
 */
export const GRPC_EXPORTER_PACKAGE = "@opentelemetry/exporter-trace-otlp-grpc";

/**
 * What the install line asks for: the exporter's release line that goes with the OpenTelemetry SDK 2.x core builds on.
 * The platforms' peer range (`>=0.200.0 <0.400.0`) also takes an app's own 0.30x exporter, but an unversioned install
 * takes the newest, which needs `@opentelemetry/api` 1.10 and Node 22.15 and fails next to the SDK 2.x.
 */
const GRPC_EXPORTER_INSTALL_SPEC = `${GRPC_EXPORTER_PACKAGE}@0.223`;

/**
 * Throws `MissingDependencyError` (with the install command for the app's package manager) when the app has no
 * `@opentelemetry/exporter-trace-otlp-grpc`. A platform calls it from `checkDependencies` when its section asks for gRPC.
 *
 * @param appRoot - the app's root folder
 * @param reason - what asked for gRPC, in the config's words, e.g. `otlp.protocol is "grpc"`
 *
 * @example
 * ```ts
 * checkDependencies({ appRoot, section }) {
 *   if (section.protocol === "grpc") checkGrpcExporter(appRoot, 'acme.protocol is "grpc"');
 * }
 * ```
 */
export function checkGrpcExporter(appRoot: string, reason: string): void {
  try {
    appRequire(appRoot).resolve(GRPC_EXPORTER_PACKAGE);
  } catch (error) {
    throw new MissingDependencyError({
      message: `${reason}, which needs ${GRPC_EXPORTER_PACKAGE}.`,
      packageName: GRPC_EXPORTER_PACKAGE,
      installCommand: installCommand(GRPC_EXPORTER_INSTALL_SPEC, appRoot),
      cause: error,
    });
  }
}

/**
 * Options of {@link otlpGrpcExporter}: every setting of the gRPC exporter, explicit.
 *
 * @example
 * ```ts
 * const options: OtlpGrpcExporterOptions = { url: "http://127.0.0.1:4317", appRoot: process.cwd(), reason: 'acme.protocol is "grpc"', timeoutMillis: 10_000 };
 * ```
 */
export interface OtlpGrpcExporterOptions {
  /** The collector's origin, `http://host:4317` (plain) or `https://host:4317` (TLS). */
  readonly url: string;
  /** Sent as gRPC metadata with every export (may hold secrets: never logged). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The exporter's time limit for one export. */
  readonly timeoutMillis: number;
  /** `gzip` compresses export requests. Default `none`. */
  readonly compression?: "none" | "gzip";
  /** CA certificate(s) to trust (PEM). */
  readonly ca?: string | undefined;
  /** Client certificate chain (PEM) for mutual TLS; needs `clientKey`. */
  readonly clientCertificate?: string | undefined;
  /** Client private key (PEM) for mutual TLS. */
  readonly clientKey?: string | undefined;
  /** The app's root folder, where the exporter package is resolved. */
  readonly appRoot: string;
  /** What asked for gRPC, for the message when the exporter is missing, e.g. `acme.protocol is "grpc"`. */
  readonly reason: string;
}

interface GrpcModule {
  credentials: { createSsl(rootCerts?: Buffer | null, privateKey?: Buffer | null, certChain?: Buffer | null): unknown; createInsecure(): unknown };
  Metadata: new () => { set(key: string, value: string): void };
}

/**
 * The exporter factory of an OTLP/gRPC platform, through the app's `@opentelemetry/exporter-trace-otlp-grpc`: headers
 * as metadata, gzip when asked, the time limit and, for `https://`, TLS with the given CA and client identity. Like
 * {@link otlpHttpExporter}, it takes nothing from `OTEL_EXPORTER_OTLP_*` (llmops has applied those by its own
 * precedence). The exporter loads when core calls the factory.
 *
 * @param options - URL, headers, time limit, compression, TLS, and where to find the exporter
 * @returns the factory `() => Promise<SpanExporter>`
 *
 * @example
 * ```ts
 * import { otlpGrpcExporter } from "@llmops/core/otlp";
 * const exporter = otlpGrpcExporter({ url: "http://127.0.0.1:4317", timeoutMillis: 10_000, appRoot: process.cwd(), reason: 'acme.protocol is "grpc"' });
 * ```
 */
export function otlpGrpcExporter(options: OtlpGrpcExporterOptions): SpanExporterFactory {
  return async () => createGrpcExporter(options);
}

function createGrpcExporter(options: OtlpGrpcExporterOptions): SpanExporter {
  checkGrpcExporter(options.appRoot, options.reason);
  const requireFromApp = appRequire(options.appRoot);
  const exporterPath = requireFromApp.resolve(GRPC_EXPORTER_PACKAGE);
  const { OTLPTraceExporter } = requireFromApp(exporterPath) as { OTLPTraceExporter: new (config: Record<string, unknown>) => SpanExporter };
  // @grpc/grpc-js as the exporter itself resolves it, so metadata and credentials come from the same copy.
  const requireFromExporter = requireFrom(requireFrom(exporterPath).resolve("@opentelemetry/otlp-grpc-exporter-base"));
  const grpc = requireFromExporter("@grpc/grpc-js") as GrpcModule;
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(options.headers ?? {})) metadata.set(key, value);
  const secure = new URL(options.url).protocol === "https:";
  const pem = (text: string | undefined): Buffer | null => (text === undefined ? null : Buffer.from(text));
  const credentials = secure ? grpc.credentials.createSsl(pem(options.ca), pem(options.clientKey), pem(options.clientCertificate)) : grpc.credentials.createInsecure();
  return constructWithoutOtlpEnvironment(() => new OTLPTraceExporter({ url: options.url, metadata, timeoutMillis: options.timeoutMillis, compression: options.compression ?? "none", credentials }));
}
