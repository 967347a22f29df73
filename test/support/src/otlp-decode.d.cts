/** An attribute value as the tests compare it. */
export type AttributeValue = string | boolean | number | Buffer | AttributeValue[] | { [key: string]: AttributeValue } | undefined;

/** One span of a request. */
export interface DecodedSpan {
  readonly name: string;
  /** Hex. */
  readonly traceId: string;
  /** Hex. */
  readonly spanId: string;
  /** Hex; undefined for a root span. */
  readonly parentSpanId: string | undefined;
  /** The instrumentation scope's name. */
  readonly scope: string | undefined;
  readonly attributes: Readonly<Record<string, AttributeValue>>;
}

/** One resource of a request with its spans. */
export interface DecodedResourceSpans {
  readonly resourceAttributes: Readonly<Record<string, AttributeValue>>;
  readonly spans: readonly DecodedSpan[];
}

/** A decoded `ExportTraceServiceRequest`. */
export interface DecodedTraceRequest {
  readonly resourceSpans: readonly DecodedResourceSpans[];
}

/** Decodes the binary protobuf body of an OTLP trace export (already decompressed). */
export function decodeTraceRequest(body: Uint8Array): DecodedTraceRequest;

/**
 * How many spans an OTLP trace export body (already decompressed) carries: binary protobuf, or OTLP/JSON when
 * `contentType` says JSON. Throws when the body is neither.
 */
export function countSpans(body: Uint8Array, contentType?: string): number;
