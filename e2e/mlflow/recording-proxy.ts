import { createServer, request as forward } from "node:http";
import type { IncomingHttpHeaders, Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One request that passed through the proxy. */
export interface ProxiedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  status: number;
}

export interface RecordingProxy {
  url: string;
  requests: ProxiedRequest[];
  /** While true, every request is answered 503 without reaching MLflow (a server that is down or restarting). */
  down: boolean;
  close(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of the MLflow server that records every request's method, path and headers, then
 * forwards it unchanged (body and headers; Host set to the target). MLflow without auth ignores an authorization
 * header, so this is where the test sees that the credential reached the server's door.
 */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const requests: ProxiedRequest[] = [];
  const proxy = { down: false };
  const server: Server = createServer((incoming, outgoing) => {
    const record: ProxiedRequest = { method: incoming.method ?? "", path: incoming.url ?? "", headers: { ...incoming.headers }, status: 0 };
    requests.push(record);
    if (proxy.down) {
      record.status = 503;
      incoming.resume();
      outgoing.writeHead(503, { "content-type": "text/plain" });
      outgoing.end("Service Unavailable");
      return;
    }
    const proxied = forward({ host: upstream.hostname, port: upstream.port, method: incoming.method, path: incoming.url, headers: { ...incoming.headers, host: upstream.host } }, (answer) => {
      record.status = answer.statusCode ?? 0;
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    proxied.on("error", (error) => {
      record.status = 502;
      outgoing.writeHead(502, { "content-type": "text/plain" });
      outgoing.end(`proxy: ${error.message}`);
    });
    incoming.pipe(proxied);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return Object.assign(proxy, {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
