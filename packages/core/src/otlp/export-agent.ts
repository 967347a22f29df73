import type { Agent as HttpAgent } from "node:http";
import type { Duplex } from "node:stream";
import { currentExportScope } from "../internal/export-scope";

/**
 * What {@link exportHttpAgent} returns: the `httpAgentOptions` factory of the OTLP/HTTP exporters, which resolves to a
 * Node `http.Agent` or `https.Agent` (typed `object` to keep `@types/node` out of the public types; pass it `as never`).
 *
 * @example
 * ```ts
 * const agent: ExportAgentFactory = exportHttpAgent();
 * new OTLPTraceExporter({ url, httpAgentOptions: agent as never });
 * ```
 */
export type ExportAgentFactory = (protocol: string) => Promise<object>;

/**
 * Options of {@link exportHttpAgent}: TLS settings of the connections.
 *
 * @example
 * ```ts
 * const options: ExportHttpAgentOptions = { ca: readCertificateFile({ file, appRoot, key: "acme.certificate_file", server: "the collector" }) };
 * ```
 */
export interface ExportHttpAgentOptions {
  /** The CA certificate(s) to trust (PEM), e.g. from `readCertificateFile`. */
  readonly ca?: string;
  /** False skips the server certificate check (testing only). Default true. */
  readonly rejectUnauthorized?: boolean;
  /** Client certificate chain (PEM) presented for mutual TLS; needs `key`. */
  readonly cert?: string;
  /** Client private key (PEM) for mutual TLS. */
  readonly key?: string;
}

/**
 * An HTTP agent factory for an OTLP/HTTP exporter (its `httpAgentOptions`) that lets core end an export's requests
 * when it gives up on the export: at the export deadline, or when the process exits with the export still waiting.
 * The exporter's own `timeoutMillis` is an idle timeout that a server sending a byte now and then never trips; with
 * this agent such a request is destroyed at core's deadline (the export fails, without retry), and no socket of an
 * abandoned export holds the process. Each export attempt uses a connection of its own (no keep-alive), so one
 * export's connections are never another's.
 *
 * @param options - TLS settings: `ca`, `rejectUnauthorized`, and `cert`/`key` for mutual TLS
 * @returns a factory `(protocol) => Promise<Agent>`, what the exporter's `httpAgentOptions` accepts
 *
 * @example
 * ```ts
 * const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-proto");
 * const exporter = new OTLPTraceExporter({ url, timeoutMillis: 10_000, httpAgentOptions: exportHttpAgent({ ca }) as never });
 * ```
 */
export function exportHttpAgent(options: ExportHttpAgentOptions = {}): ExportAgentFactory {
  return async (protocol) => {
    const secure = protocol === "https:";
    // Imported when the exporter asks, after any HTTP instrumentation of the app has patched these modules.
    const { Agent } = secure ? await import("node:https") : await import("node:http");
    const tls = secure
      ? {
          ...(options.ca === undefined ? {} : { ca: options.ca }),
          ...(options.cert === undefined ? {} : { cert: options.cert }),
          ...(options.key === undefined ? {} : { key: options.key }),
          rejectUnauthorized: options.rejectUnauthorized !== false,
        }
      : {};
    const base = Agent as unknown as new (agentOptions: object) => HttpAgent;
    class ScopedAgent extends base {
      override createConnection(connection: Parameters<HttpAgent["createConnection"]>[0], callback?: (error: Error | null, stream: Duplex) => void): Duplex | null | undefined {
        const socket = super.createConnection(connection, callback);
        // The agent opens the connection synchronously inside the request, so inside the export that sends it.
        if (socket !== null && socket !== undefined) currentExportScope()?.track(socket);
        return socket;
      }
    }
    return new ScopedAgent({ keepAlive: false, ...tls });
  };
}
