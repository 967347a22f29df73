import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";

/** A span as Sentry sent it, from a streamed span item (`span`, v2) or a transaction event and its child spans. */
export interface SentrySpan {
  readonly name: string;
  readonly op: string | undefined;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
}

/** A local stand-in of Sentry's ingestion endpoint: it reads envelopes and keeps their spans. */
export interface SentryReceiver {
  /** A DSN that sends this receiver the envelopes (project 1, any public key). */
  readonly dsn: string;
  /** Every span received so far. */
  readonly spans: SentrySpan[];
  /** The types of every envelope item received (`span`, `transaction`, `client_report`...). */
  readonly itemTypes: string[];
  close(): Promise<void>;
}

type Attributes = Record<string, { value?: unknown } | undefined>;

interface StreamedSpan {
  name?: string;
  span_id: string;
  trace_id: string;
  parent_span_id?: string;
  attributes?: Attributes;
}

interface TransactionEvent {
  transaction?: string;
  contexts?: { trace?: { trace_id: string; span_id: string; parent_span_id?: string; op?: string } };
  spans?: { description?: string; op?: string; trace_id: string; span_id: string; parent_span_id?: string }[];
}

/**
 * Parses one envelope: a header line, then for each item a header line and a payload. Payloads are JSON lines here
 * (the SDK sends no attachments in these tests); an item header with a `length` is honoured all the same.
 */
function spansOfEnvelope(body: Buffer, itemTypes: string[]): SentrySpan[] {
  const spans: SentrySpan[] = [];
  let offset = body.indexOf(0x0a) + 1;
  while (offset > 0 && offset < body.length) {
    const headerEnd = body.indexOf(0x0a, offset);
    if (headerEnd < 0) break;
    const header = JSON.parse(body.subarray(offset, headerEnd).toString("utf8")) as { type: string; length?: number };
    const payloadStart = headerEnd + 1;
    const payloadEnd = header.length !== undefined ? payloadStart + header.length : body.indexOf(0x0a, payloadStart) < 0 ? body.length : body.indexOf(0x0a, payloadStart);
    const payload = body.subarray(payloadStart, payloadEnd).toString("utf8");
    itemTypes.push(header.type);
    if (header.type === "span") {
      for (const span of (JSON.parse(payload) as { items: StreamedSpan[] }).items) {
        const op = span.attributes?.["sentry.op"]?.value;
        spans.push({ name: span.name ?? "", op: typeof op === "string" ? op : undefined, traceId: span.trace_id, spanId: span.span_id, parentSpanId: span.parent_span_id });
      }
    } else if (header.type === "transaction") {
      const event = JSON.parse(payload) as TransactionEvent;
      const root = event.contexts?.trace;
      if (root !== undefined) spans.push({ name: event.transaction ?? "", op: root.op, traceId: root.trace_id, spanId: root.span_id, parentSpanId: root.parent_span_id });
      for (const span of event.spans ?? []) spans.push({ name: span.description ?? "", op: span.op, traceId: span.trace_id, spanId: span.span_id, parentSpanId: span.parent_span_id });
    }
    offset = payloadEnd + 1;
  }
  return spans;
}

/** Starts a Sentry envelope receiver on 127.0.0.1 and a free port. */
export async function startSentryReceiver(): Promise<SentryReceiver> {
  const spans: SentrySpan[] = [];
  const itemTypes: string[] = [];
  const handle = (request: IncomingMessage, response: ServerResponse): void => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      let body = Buffer.concat(chunks);
      if (/gzip/i.test(request.headers["content-encoding"] ?? "")) body = gunzipSync(body);
      if (request.method === "POST" && /\/api\/\d+\/envelope\//.test(request.url ?? "")) spans.push(...spansOfEnvelope(body, itemTypes));
      response.writeHead(200, { "content-type": "application/json" });
      response.end("{}");
    });
  };
  const server: Server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    dsn: `http://publickey@127.0.0.1:${port}/1`,
    spans,
    itemTypes,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
