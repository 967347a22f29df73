import { createServer, request as httpRequest } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo, Socket } from "node:net";

/** What the fault server does with one export request. */
export type Fault =
  /** Answers with this status (and headers, e.g. `retry-after`), without reading further. */
  | { readonly kind: "status"; readonly status: number; readonly headers?: Readonly<Record<string, string>> }
  /** Reads the request and never answers; the connection stays open until the client gives up. */
  | { readonly kind: "hang" }
  /** Answers 200 and then one byte every 500 ms, never ending: an idle timeout never fires. */
  | { readonly kind: "trickle" }
  /** Resets the connection (TCP RST) as soon as the first bytes of the request body arrive. */
  | { readonly kind: "reset" }
  /** Passes the request on to the upstream receiver and its answer back. */
  | { readonly kind: "forward" };

/** One request as the fault server handled it. */
export interface FaultRecord {
  readonly index: number;
  readonly fault: Fault["kind"];
  /** `Date.now()` when the request arrived. */
  readonly at: number;
}

/** A running fault server. */
export interface FaultServer {
  /** `http://127.0.0.1:<port>`, no path. */
  readonly url: string;
  readonly port: number;
  /** Every request, in arrival order, with what was done to it. */
  readonly handled: FaultRecord[];
  close(): Promise<void>;
}

/**
 * An OTLP/HTTP endpoint that misbehaves on purpose: request number `index` (from 0) gets `plan(index)`. Requests
 * forwarded go to `upstream` (e.g. a decoding receiver), so a test can check which spans arrived in the end.
 *
 * @param params.plan - what to do with each request
 * @param params.upstream - where `forward` sends requests, e.g. `http://127.0.0.1:4318`
 * @param params.port - listen on this port (default: a free one)
 */
export async function startFaultServer(params: { plan: (index: number) => Fault; upstream?: string; port?: number }): Promise<FaultServer> {
  const handled: FaultRecord[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((request, response) => {
    const index = handled.length;
    const fault = params.plan(index);
    handled.push({ index, fault: fault.kind, at: Date.now() });
    apply(fault, request, response, params.upstream);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  const port = await listen(server, params.port ?? 0);
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    handled,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function apply(fault: Fault, request: IncomingMessage, response: ServerResponse, upstream: string | undefined): void {
  switch (fault.kind) {
    case "status":
      request.resume();
      request.on("end", () => {
        response.writeHead(fault.status, { "content-type": "text/plain", ...fault.headers });
        response.end(`fault server answered ${fault.status}`);
      });
      return;
    case "hang":
      request.resume();
      return;
    case "trickle": {
      request.resume();
      response.writeHead(200, { "content-type": "application/x-protobuf" });
      const interval = setInterval(() => response.write("\n"), 500);
      response.on("close", () => clearInterval(interval));
      return;
    }
    case "reset":
      request.once("data", () => request.socket.resetAndDestroy());
      return;
    case "forward": {
      if (upstream === undefined) throw new Error("forward needs an upstream");
      const outgoing = httpRequest(new URL(request.url ?? "/", upstream), { method: request.method, headers: request.headers }, (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      });
      outgoing.on("error", () => response.destroy());
      request.pipe(outgoing);
      return;
    }
  }
}

/**
 * An HTTPS server (any certificate will do: the client expects plain HTTP and never gets as far as checking it).
 * Records how many connections arrived and how many TLS handshakes failed.
 */
export async function startTlsServer(tls: { key: Buffer; cert: Buffer }): Promise<{ url: string; connections: () => number; tlsErrors: () => number; close(): Promise<void> }> {
  let connections = 0;
  let tlsErrors = 0;
  const server = createHttpsServer({ key: tls.key, cert: tls.cert }, (_request, response) => {
    response.writeHead(200);
    response.end();
  });
  server.on("connection", () => connections++);
  server.on("tlsClientError", () => tlsErrors++);
  const port = await listen(server, 0);
  return {
    url: `http://127.0.0.1:${port}`,
    connections: () => connections,
    tlsErrors: () => tlsErrors,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function listen(
  server: { listen(port: number, host: string, callback: () => void): unknown; once(event: "error", listener: (error: Error) => void): unknown; address(): unknown },
  port: number,
): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
}
