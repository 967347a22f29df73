// A loopback OTLP/HTTP trace sink: counts the spans of every export request it receives (protobuf or JSON, gzip or
// not) by walking the wire format, and can be taken down and brought back on the same port (benchmark B4).
import { createServer } from "node:http";
import { gunzipSync } from "node:zlib";

/** Counts the spans of a binary `ExportTraceServiceRequest` without decoding them. */
export function countSpansInProto(bytes) {
  let spans = 0;
  // ExportTraceServiceRequest.resource_spans = 1 → ResourceSpans.scope_spans = 2 → ScopeSpans.spans = 2
  for (const resourceSpans of lengthDelimitedFields(bytes, 0, bytes.length, 1)) {
    for (const scopeSpans of lengthDelimitedFields(bytes, resourceSpans.start, resourceSpans.end, 2)) {
      for (const span of lengthDelimitedFields(bytes, scopeSpans.start, scopeSpans.end, 2)) {
        if (span.end > span.start) spans += 1;
      }
    }
  }
  return spans;
}

function readVarint(bytes, position) {
  let value = 0;
  let shift = 0;
  for (;;) {
    if (position >= bytes.length) throw new Error("truncated varint");
    const byte = bytes[position++];
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return { value, position };
    shift += 7;
  }
}

/** The (start, end) ranges of every length-delimited field `wanted` in bytes[start, end). */
function* lengthDelimitedFields(bytes, start, end, wanted) {
  let position = start;
  while (position < end) {
    const tag = readVarint(bytes, position);
    position = tag.position;
    const field = Math.floor(tag.value / 8);
    const wireType = tag.value & 7;
    if (wireType === 0) position = readVarint(bytes, position).position;
    else if (wireType === 1) position += 8;
    else if (wireType === 5) position += 4;
    else if (wireType === 2) {
      const length = readVarint(bytes, position);
      const fieldStart = length.position;
      position = fieldStart + length.value;
      if (position > end) throw new Error("truncated field");
      if (field === wanted) yield { start: fieldStart, end: position };
    } else throw new Error(`unsupported wire type ${wireType}`);
  }
}

function countSpansInJson(text) {
  const request = JSON.parse(text);
  let spans = 0;
  for (const resourceSpans of request.resourceSpans ?? []) for (const scopeSpans of resourceSpans.scopeSpans ?? []) spans += (scopeSpans.spans ?? []).length;
  return spans;
}

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
        spans = /json/i.test(request.headers["content-type"] ?? "") ? countSpansInJson(body.toString("utf8")) : countSpansInProto(body);
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
