import { formatDuration, formatTraceTree } from "../src/tree/format-trace-tree";
import { record } from "./helpers";

describe("formatTraceTree", () => {
  it("indents children under their parents, siblings in start order", () => {
    const spans = [
      record({ spanId: "d", parentSpanId: "b", name: "grandchild", startTime: "2025-01-31T10:00:00.030Z" }),
      record({ spanId: "c", parentSpanId: "a", name: "second child", startTime: "2025-01-31T10:00:00.040Z" }),
      record({ spanId: "b", parentSpanId: "a", name: "first child", startTime: "2025-01-31T10:00:00.020Z" }),
      record({ spanId: "a", name: "root", startTime: "2025-01-31T10:00:00.010Z", durationMs: 412.4 }),
    ];
    expect(formatTraceTree(spans)).toBe(
      [
        "trace 0af7651916cd43dd8448eb211c80319c · svc · 4 spans",
        "└─ root · INTERNAL · 412 ms",
        "   ├─ first child · INTERNAL · 1.0 ms",
        "   │  └─ grandchild · INTERNAL · 1.0 ms",
        "   └─ second child · INTERNAL · 1.0 ms",
        "",
      ].join("\n"),
    );
  });

  it("names the session and user of the root span in the header", () => {
    const spans = [
      record({ spanId: "a", name: "root", attributes: { "session.id": "chat-42", "user.id": "ada" } }),
      record({ spanId: "b", parentSpanId: "a", name: "child", startTime: "2025-01-31T10:00:00.020Z", attributes: { "session.id": "chat-42", "user.id": "ada" } }),
    ];
    expect(formatTraceTree(spans).split("\n")[0]).toBe("trace 0af7651916cd43dd8448eb211c80319c · svc · session chat-42 · user ada · 2 spans");
  });

  it("shows the OpenInference kind, tokens prompt → completion (total), the model, and errors", () => {
    const spans = [
      record({ spanId: "a", name: "agent", attributes: { "openinference.span.kind": "CHAIN" } }),
      record({
        spanId: "b",
        parentSpanId: "a",
        name: "OpenAI Chat Completions",
        kind: "CLIENT",
        durationMs: 398,
        attributes: { "openinference.span.kind": "LLM", "llm.model_name": "gpt-4o-mini", "llm.token_count.prompt": 12, "llm.token_count.completion": 8, "llm.token_count.total": 20 },
      }),
      record({ spanId: "c", parentSpanId: "a", name: "search", durationMs: 2.25, attributes: { "openinference.span.kind": "tool" }, status: { code: "ERROR", message: "timed out" } }),
      record({ spanId: "d", parentSpanId: "a", name: "embed", attributes: { "openinference.span.kind": "EMBEDDING", "embedding.model_name": "text-embedding-3-small", "llm.token_count.prompt": 5 } }),
      record({ spanId: "e", parentSpanId: "a", name: "partial", attributes: { "llm.token_count.prompt": 3, "llm.token_count.completion": 4 }, status: { code: "ERROR" } }),
    ];
    expect(formatTraceTree(spans).split("\n")).toEqual([
      "trace 0af7651916cd43dd8448eb211c80319c · svc · 5 spans",
      "└─ agent · CHAIN · 1.0 ms",
      "   ├─ OpenAI Chat Completions · LLM · 398 ms · tokens 12 → 8 (20) · gpt-4o-mini",
      "   ├─ search · TOOL · 2.3 ms · ✗ timed out",
      "   ├─ embed · EMBEDDING · 1.0 ms · tokens 5 · text-embedding-3-small",
      "   └─ partial · INTERNAL · 1.0 ms · tokens 3 → 4 (7) · ✗ error",
      "",
    ]);
  });

  it("prints one tree per trace, earliest first, and spans whose parent is elsewhere as roots", () => {
    const spans = [
      record({ traceId: "b".repeat(32), spanId: "x", name: "later trace", startTime: "2025-01-31T11:00:00.000Z", resource: {} }),
      record({ spanId: "a", parentSpanId: "remote0000000000", name: "server span", kind: "SERVER", startTime: "2025-01-31T10:00:00.000Z" }),
      record({ spanId: "b", parentSpanId: "gone000000000000", name: "orphan", startTime: "2025-01-31T10:00:00.500Z" }),
    ];
    expect(formatTraceTree(spans)).toBe(
      [
        "trace 0af7651916cd43dd8448eb211c80319c · svc · 2 spans",
        "├─ server span · SERVER · 1.0 ms",
        "└─ orphan · INTERNAL · 1.0 ms",
        `trace ${"b".repeat(32)} · 1 span`,
        "└─ later trace · INTERNAL · 1.0 ms",
        "",
      ].join("\n"),
    );
  });

  it("prints every span once, even with a malformed parent cycle", () => {
    const spans = [record({ spanId: "a", parentSpanId: "b", name: "one" }), record({ spanId: "b", parentSpanId: "a", name: "two" })];
    const text = formatTraceTree(spans);
    expect(text.match(/one/g)).toHaveLength(1);
    expect(text.match(/two/g)).toHaveLength(1);
  });

  it("is empty for no spans and does not change its input", () => {
    expect(formatTraceTree([])).toBe("");
    const spans = [record({ spanId: "b", parentSpanId: "a" }), record({ spanId: "a" })];
    const copy = JSON.parse(JSON.stringify(spans));
    formatTraceTree(spans);
    expect(spans).toEqual(copy);
  });

  it("formats durations in milliseconds", () => {
    expect([formatDuration(0.04), formatDuration(9.94), formatDuration(10.4), formatDuration(1530.6), formatDuration(Number.NaN)]).toEqual(["0.0 ms", "9.9 ms", "10 ms", "1531 ms", "? ms"]);
  });
});

describe("cost in the trace tree", () => {
  it("shows each span's llm.cost.total and the trace's cost in the header", () => {
    const spans = [
      record({ spanId: "a", name: "agent", attributes: { "openinference.span.kind": "AGENT", "llm.cost.total": 0.0066 } }),
      record({
        spanId: "b",
        parentSpanId: "a",
        name: "plan",
        startTime: "2025-01-31T10:00:00.020Z",
        attributes: { "openinference.span.kind": "LLM", "llm.model_name": "gpt-4o-mini", "llm.cost.total": 0.0006 },
      }),
      record({ spanId: "c", parentSpanId: "a", name: "write", startTime: "2025-01-31T10:00:00.030Z", attributes: { "openinference.span.kind": "LLM", "llm.cost.total": 0.006 } }),
      record({ spanId: "d", parentSpanId: "a", name: "lookup", startTime: "2025-01-31T10:00:00.040Z", attributes: { "openinference.span.kind": "TOOL" } }),
    ];
    expect(formatTraceTree(spans)).toBe(
      [
        "trace 0af7651916cd43dd8448eb211c80319c · svc · 4 spans · cost $0.0066",
        "└─ agent · AGENT · 1.0 ms · $0.0066",
        "   ├─ plan · LLM · 1.0 ms · gpt-4o-mini · $0.0006",
        "   ├─ write · LLM · 1.0 ms · $0.006",
        "   └─ lookup · TOOL · 1.0 ms",
        "",
      ].join("\n"),
    );
  });

  it("adds up a root's descendants when the root has no cost, names a currency other than USD, and says nothing without costs", () => {
    const spans = [
      record({ spanId: "a", name: "root" }),
      record({ spanId: "b", parentSpanId: "a", name: "one", attributes: { "llm.cost.total": 1.5, "llmops.cost.currency": "EUR" } }),
      record({ spanId: "c", parentSpanId: "a", name: "two", startTime: "2025-01-31T10:00:00.050Z", attributes: { "llm.cost.total": 0.25, "llmops.cost.currency": "EUR" } }),
    ];
    const lines = formatTraceTree(spans).split("\n");
    expect(lines[0]).toBe("trace 0af7651916cd43dd8448eb211c80319c · svc · 3 spans · cost 1.75 EUR");
    expect(lines[2]).toContain("· 1.50 EUR");
    expect(formatTraceTree([record({ spanId: "a", name: "root" })]).split("\n")[0]).not.toContain("cost");
  });
});
