import { diag } from "@opentelemetry/api";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
import { ReportingExporter } from "../src/provider/reporting-exporter";
import { captureDiag } from "./helpers";

function scripted(results: Array<{ code: number; error?: Error } | "throw">): SpanExporter {
  return {
    export(_spans, callback) {
      const next = results.shift() ?? { code: 0 };
      if (next === "throw") throw new Error("exporter blew up");
      callback(next);
    },
    shutdown: () => Promise.resolve(),
  };
}

const spans = (count: number): ReadableSpan[] => Array.from({ length: count }, () => ({}) as ReadableSpan);

describe("ReportingExporter", () => {
  it("counts delivered and dropped spans, warns once per failure streak with the running count, and logs the recovery", () => {
    const logs = captureDiag();
    const exporter = new ReportingExporter(
      scripted([{ code: 1, error: new Error("connect ECONNREFUSED 127.0.0.1:1") }, { code: 1, error: new Error("again") }, { code: 0 }, "throw"]),
      diag,
      "Phoenix at http://127.0.0.1:1/v1/traces",
      (error) => (error?.message.includes("ECONNREFUSED") ? "Is the collector running?" : undefined),
    );
    const results: number[] = [];
    for (const count of [3, 2, 4, 5]) exporter.export(spans(count), (result) => results.push(result.code));
    expect(results).toEqual([1, 1, 0, 1]);
    expect(exporter.counts()).toEqual({ exported: 4, dropped: 10 });
    const warnings = logs.messages.filter((message) => message.startsWith("warn"));
    expect(warnings).toEqual([
      expect.stringContaining("Export to Phoenix at http://127.0.0.1:1/v1/traces failed (connect ECONNREFUSED 127.0.0.1:1); 3 spans dropped, 3 so far."),
      expect.stringContaining("(exporter blew up); 5 spans dropped, 10 so far."),
    ]);
    expect(warnings[0]).toContain("Is the collector running?");
    expect(logs.messages).toContainEqual(expect.stringContaining("recovered; 5 spans were dropped while it failed"));
    logs.restore();
  });
});
