import * as grpc from "@grpc/grpc-js";
import { createServer as createHttpServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { decodeTraceRequest } from "./otlp-decode.cjs";
import type { AttributeValue, DecodedSpan } from "./otlp-decode.cjs";

export type { AttributeValue, DecodedSpan } from "./otlp-decode.cjs";

/** The server side of TLS: key and certificate chain in PEM. */
export interface ServerTls {
  readonly key: Buffer;
  readonly cert: Buffer;
}

/** One export request as the receiver saw it. */
export interface ReceivedRequest {
  readonly transport: "http" | "grpc";
  /** HTTP method (`POST` for gRPC too). */
  readonly method: string;
  /** The request path: `/v1/traces`, or the gRPC method path. */
  readonly path: string;
  /** Headers (HTTP) or metadata (gRPC), keys lower-cased, repeated values joined with `, `. */
  readonly headers: Readonly<Record<string, string>>;
  /**
   * True when the body came gzip-compressed (`content-encoding: gzip`). Always false for gRPC: grpc-js decompresses
   * messages itself and keeps `grpc-encoding` out of the metadata it hands to the handler.
   */
  readonly gzip: boolean;
  /** What the receiver answered: an HTTP status, or 0 (gRPC OK). */
  readonly status: number;
  /** The resource attributes of the request (every resource's, merged). */
  readonly resourceAttributes: Readonly<Record<string, AttributeValue>>;
  /** Every span of the request. */
  readonly spans: readonly DecodedSpan[];
  /** Why the body could not be decompressed or decoded, if it could not. */
  readonly decodeError?: string;
}

/** A running receiver. */
export interface OtlpReceiver {
  /** `http://127.0.0.1:<port>` or `https://127.0.0.1:<port>`: no path. */
  readonly url: string;
  readonly port: number;
  /** Every request, in arrival order, including failed and rejected ones. */
  readonly requests: ReceivedRequest[];
  /** The path of every request, in arrival order (also requests for other paths, which get 404). */
  readonly paths: string[];
  /** Every span of every request answered with success. */
  acceptedSpans(): DecodedSpan[];
  /** Resolves once `predicate` holds for the requests, or rejects after `timeoutMillis` with what arrived. */
  waitFor(predicate: (requests: readonly ReceivedRequest[]) => boolean, timeoutMillis?: number): Promise<void>;
  /** Stops the server and drops its connections. */
  close(): Promise<void>;
}

/** An HTTP(S) receiver; the next requests can be answered with chosen statuses. */
export interface HttpOtlpReceiver extends OtlpReceiver {
  /** Answers the next requests to `/v1/traces` with these statuses, in order; then 200 again. */
  answerNext(...statuses: number[]): void;
}

/** The OTLP trace service method, as gRPC clients call it. */
export const GRPC_EXPORT_PATH = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

/**
 * Starts an OTLP/HTTP receiver on 127.0.0.1 and a free port: HTTPS when `tls` is given. It accepts `POST /v1/traces`
 * with a binary protobuf body (gzip or not), records every request, and answers 200 with an empty
 * `ExportTraceServiceResponse` (or the statuses queued with `answerNext`). Anything else gets 404 and is recorded too.
 */
export async function startHttpReceiver(options: { tls?: ServerTls } = {}): Promise<HttpOtlpReceiver> {
  const requests: ReceivedRequest[] = [];
  const paths: string[] = [];
  const queued: number[] = [];

  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const path = (request.url ?? "").split("?")[0] ?? "";
      paths.push(path);
      const headers = lowerCaseHeaders(request.headers);
      const gzip = /\bgzip\b/i.test(headers["content-encoding"] ?? "");
      const known = request.method === "POST" && path === "/v1/traces";
      const status = known ? (queued.shift() ?? 200) : 404;
      requests.push({ transport: "http", method: request.method ?? "", path, headers, gzip, status, ...decodeBody(Buffer.concat(chunks), gzip) });
      response.writeHead(status, { "content-type": "application/x-protobuf" });
      response.end(status === 200 ? Buffer.alloc(0) : `receiver answered ${status}`);
    });
  };

  const server: Server = options.tls === undefined ? createHttpServer(handle) : createHttpsServer({ key: options.tls.key, cert: options.tls.cert }, handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `${options.tls === undefined ? "http" : "https"}://127.0.0.1:${port}`,
    port,
    requests,
    paths,
    answerNext: (...statuses) => queued.push(...statuses),
    acceptedSpans: () => acceptedSpans(requests),
    waitFor: (predicate, timeoutMillis) => waitFor(requests, predicate, timeoutMillis),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/**
 * Starts an OTLP/gRPC receiver on 127.0.0.1 and a free port, plaintext or TLS. It serves the trace service's `Export`
 * with raw-buffer (de)serializers, decodes each request with the same protobuf definitions, records the metadata,
 * and answers with an empty `ExportTraceServiceResponse`.
 */
export async function startGrpcReceiver(options: { tls?: ServerTls } = {}): Promise<OtlpReceiver> {
  const requests: ReceivedRequest[] = [];
  const paths: string[] = [];
  const identity = (buffer: Buffer): Buffer => buffer;
  const definition: grpc.ServiceDefinition = {
    Export: {
      path: GRPC_EXPORT_PATH,
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
    },
  };
  const server = new grpc.Server();
  server.addService(definition, {
    Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
      paths.push(GRPC_EXPORT_PATH);
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(call.metadata.getMap())) headers[key.toLowerCase()] = Buffer.isBuffer(value) ? value.toString("base64") : value;
      // grpc-js has already decompressed the message.
      requests.push({ transport: "grpc", method: "POST", path: GRPC_EXPORT_PATH, headers, gzip: false, status: 0, ...decodeBody(call.request, false) });
      callback(null, Buffer.alloc(0));
    },
  });
  const credentials =
    options.tls === undefined ? grpc.ServerCredentials.createInsecure() : grpc.ServerCredentials.createSsl(null, [{ private_key: options.tls.key, cert_chain: options.tls.cert }], false);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync("127.0.0.1:0", credentials, (error, boundPort) => (error === null ? resolve(boundPort) : reject(error)));
  });
  return {
    url: `${options.tls === undefined ? "http" : "https"}://127.0.0.1:${port}`,
    port,
    requests,
    paths,
    acceptedSpans: () => acceptedSpans(requests),
    waitFor: (predicate, timeoutMillis) => waitFor(requests, predicate, timeoutMillis),
    close: () => {
      server.forceShutdown();
      return Promise.resolve();
    },
  };
}

function decodeBody(body: Buffer, gzip: boolean): Pick<ReceivedRequest, "resourceAttributes" | "spans" | "decodeError"> {
  try {
    const decoded = decodeTraceRequest(gzip ? gunzipSync(body) : body);
    return {
      resourceAttributes: Object.assign({}, ...decoded.resourceSpans.map((resourceSpans) => resourceSpans.resourceAttributes)) as Record<string, AttributeValue>,
      spans: decoded.resourceSpans.flatMap((resourceSpans) => resourceSpans.spans),
    };
  } catch (error) {
    return { resourceAttributes: {}, spans: [], decodeError: (error as Error).message };
  }
}

function lowerCaseHeaders(headers: IncomingMessage["headers"]): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value !== undefined) result[key.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return result;
}

function acceptedSpans(requests: readonly ReceivedRequest[]): DecodedSpan[] {
  return requests.filter((request) => request.status === 200 || (request.transport === "grpc" && request.status === 0)).flatMap((request) => request.spans);
}

async function waitFor(requests: readonly ReceivedRequest[], predicate: (requests: readonly ReceivedRequest[]) => boolean, timeoutMillis = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (!predicate(requests)) {
    if (Date.now() > deadline) {
      const seen = requests.map((request) => `${request.path} ${request.status} [${request.spans.map((span) => span.name).join(", ")}]`).join("; ");
      throw new Error(`The receiver did not get what was expected within ${timeoutMillis} ms; it got: ${seen || "no requests"}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
