// A loopback OTLP/HTTP trace sink: counts the spans of every export request it receives (protobuf or JSON, gzip or
// not) with the tests' OTLP decoder, and can be taken down and brought back on the same port (benchmark B4).
import { createServer } from "node:http";
import { gunzipSync } from "node:zlib";
import { countSpans } from "@llmops-internal/test-support/otlp-decode";

/**
 * Starts a sink on 127.0.0.1 (port 0: any free one). `url` is its base (peers append `/v1/traces`); every path that ends
 * in `/v1/traces` is accepted.
 */
export async function startSink() {
  const counts = { spans: 0, requests: 0, bytes: 0, badRequests: 0, firstAt: undefined, lastAt: undefined, arrivals: [] };
  const connections = new Set();
  let port = 0;
  let server;
  let up = false;

  function handle(request, response) {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      if (request.method !== "POST" || !request.url.replace(/\/+$/, "").endsWith("/v1/traces")) {
        response.writeHead(404).end();
        return;
      }
      let body = Buffer.concat(chunks);
      counts.bytes += body.length;
      let spans = 0;
      try {
        if (/gzip/i.test(request.headers["content-encoding"] ?? "")) body = gunzipSync(body);
        spans = countSpans(body, request.headers["content-type"]);
      } catch {
        counts.badRequests += 1;
        response.writeHead(400).end();
        return;
      }
      const now = performanceNow();
      counts.spans += spans;
      counts.requests += 1;
      counts.firstAt ??= now;
      counts.lastAt = now;
      counts.arrivals.push([now, spans]);
      const json = /json/i.test(request.headers["content-type"] ?? "");
      response.writeHead(200, { "content-type": json ? "application/json" : "application/x-protobuf" }).end(json ? "{}" : Buffer.alloc(0));
    });
  }

  async function listen() {
    server = createServer(handle);
    server.keepAliveTimeout = 30_000;
    server.on("connection", (socket) => {
      connections.add(socket);
      socket.on("close", () => connections.delete(socket));
    });
    await new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    port = server.address().port;
    up = true;
  }

  await listen();
  return {
    counts,
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    get tracesUrl() {
      return `http://127.0.0.1:${port}/v1/traces`;
    },
    get up() {
      return up;
    },
    /** Refuses connections from now on (the port stays reserved by nobody: ECONNREFUSED). */
    async down() {
      if (!up) return;
      up = false;
      const closed = new Promise((resolve) => server.close(() => resolve()));
      for (const socket of connections) socket.destroy();
      await closed;
    },
    /** Listens again on the same port. */
    async restart() {
      if (!up) await listen();
    },
    async close() {
      await this.down();
    },
    /** Resolves when at least `spans` have arrived or `timeoutMillis` passed; returns the count. */
    async waitFor(spans, timeoutMillis) {
      const deadline = performanceNow() + timeoutMillis;
      while (counts.spans < spans && performanceNow() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      return counts.spans;
    },
  };
}

function performanceNow() {
  return Number(process.hrtime.bigint()) / 1e6;
}
