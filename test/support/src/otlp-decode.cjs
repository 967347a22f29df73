// The decoder of OTLP trace export bodies that every test and the benchmark's sink share. Plain CommonJS, so that
// jest (through ts-jest) and plain Node scripts (`bench/`, `.mjs`) load the same file without a build.
"use strict";
const protobuf = require("protobufjs");

/**
 * The part of OTLP's `ExportTraceServiceRequest` the tests read, written from the opentelemetry-proto definitions
 * (collector/trace/v1/trace_service.proto, trace/v1/trace.proto, resource/v1/resource.proto, common/v1/common.proto).
 * Only the field numbers matter on the wire; fields left out here are skipped by the decoder. The messages sit in one
 * test package instead of OTLP's four, which changes nothing in the binary encoding.
 */
const OTLP_TRACES_PROTO = `
syntax = "proto3";
package llmops.test.otlp;

message ExportTraceServiceRequest {
  repeated ResourceSpans resource_spans = 1;
}

message ResourceSpans {
  Resource resource = 1;
  repeated ScopeSpans scope_spans = 2;
}

message Resource {
  repeated KeyValue attributes = 1;
}

message ScopeSpans {
  InstrumentationScope scope = 1;
  repeated Span spans = 2;
}

message InstrumentationScope {
  string name = 1;
  string version = 2;
}

message Span {
  bytes trace_id = 1;
  bytes span_id = 2;
  bytes parent_span_id = 4;
  string name = 5;
  repeated KeyValue attributes = 9;
}

message KeyValue {
  string key = 1;
  AnyValue value = 2;
}

message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}

message ArrayValue {
  repeated AnyValue values = 1;
}

message KeyValueList {
  repeated KeyValue values = 1;
}
`;

let requestType;

function exportTraceServiceRequest() {
  requestType ??= protobuf.parse(OTLP_TRACES_PROTO, { keepCase: true }).root.lookupType("llmops.test.otlp.ExportTraceServiceRequest");
  return requestType;
}

/** Decodes the binary protobuf body of an OTLP trace export (already decompressed). */
function decodeTraceRequest(body) {
  const type = exportTraceServiceRequest();
  const raw = type.toObject(type.decode(body), { longs: String, defaults: false, arrays: true });
  return {
    resourceSpans: (raw.resource_spans ?? []).map((resourceSpans) => ({
      resourceAttributes: attributesOf(resourceSpans.resource?.attributes),
      spans: (resourceSpans.scope_spans ?? []).flatMap((scopeSpans) =>
        (scopeSpans.spans ?? []).map((span) => ({
          name: span.name ?? "",
          traceId: hex(span.trace_id),
          spanId: hex(span.span_id),
          parentSpanId: span.parent_span_id !== undefined && span.parent_span_id.length > 0 ? hex(span.parent_span_id) : undefined,
          scope: scopeSpans.scope?.name,
          attributes: attributesOf(span.attributes),
        })),
      ),
    })),
  };
}

/**
 * How many spans an OTLP trace export body (already decompressed) carries: binary protobuf, or OTLP/JSON when
 * `contentType` says JSON. Throws when the body is neither.
 */
function countSpans(body, contentType = "application/x-protobuf") {
  let spans = 0;
  if (/json/i.test(contentType)) {
    const request = JSON.parse(Buffer.from(body).toString("utf8"));
    for (const resourceSpans of request.resourceSpans ?? []) for (const scopeSpans of resourceSpans.scopeSpans ?? []) spans += (scopeSpans.spans ?? []).length;
    return spans;
  }
  // The decoded message, not its plain-object copy: counting needs no attribute conversion.
  const request = exportTraceServiceRequest().decode(body);
  for (const resourceSpans of request.resource_spans ?? []) for (const scopeSpans of resourceSpans.scope_spans ?? []) spans += (scopeSpans.spans ?? []).length;
  return spans;
}

function attributesOf(list) {
  const result = {};
  for (const { key, value } of list ?? []) if (key !== undefined) result[key] = valueOf(value);
  return result;
}

function valueOf(value) {
  if (value === undefined) return undefined;
  if (value.string_value !== undefined) return value.string_value;
  if (value.bool_value !== undefined) return value.bool_value;
  if (value.int_value !== undefined) return Number(value.int_value);
  if (value.double_value !== undefined) return value.double_value;
  if (value.array_value !== undefined) return (value.array_value.values ?? []).map(valueOf);
  if (value.kvlist_value !== undefined) return attributesOf(value.kvlist_value.values);
  if (value.bytes_value !== undefined) return Buffer.from(value.bytes_value);
  return undefined;
}

function hex(bytes) {
  return bytes === undefined ? "" : Buffer.from(bytes).toString("hex");
}

exports.decodeTraceRequest = decodeTraceRequest;
exports.countSpans = countSpans;
