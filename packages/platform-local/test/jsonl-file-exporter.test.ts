import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { JsonlFileExporter } from "../src/export/jsonl-file-exporter";
import { toSpanRecord } from "../src/export/span-record";
import { captureDiag, sampleSpans, temporaryDirectory } from "./helpers";

function exportOnce(exporter: JsonlFileExporter, spans = sampleSpans()): Promise<{ code: number; error?: Error }> {
  return new Promise((resolve) => exporter.export(spans, (result) => resolve(result)));
}

function readLines(directory: string): Record<string, any>[] {
  const files = readdirSync(directory);
  expect(files).toHaveLength(1);
  expect(files[0]).toMatch(/^\d{4}-\d{2}-\d{2}\.jsonl$/);
  return readFileSync(join(directory, files[0] as string), "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, any>);
}

describe("JsonlFileExporter", () => {
  it("creates the folder and appends one JSON line per span, named by the UTC start date", async () => {
    const directory = join(temporaryDirectory(), "nested", "traces");
    const spans = sampleSpans();
    const exporter = new JsonlFileExporter({ directory });
    expect(await exportOnce(exporter, spans)).toEqual({ code: 0 });

    const lines = readLines(directory);
    expect(readdirSync(directory)).toEqual([`${toSpanRecord(spans[0]!).startTime.slice(0, 10)}.jsonl`]);
    expect(lines.map((line) => line.name)).toEqual(["OpenAI Chat Completions", "chain"]);
    const [llm, chain] = lines as [Record<string, any>, Record<string, any>];
    expect(Object.keys(llm)).toEqual([
      "traceId",
      "spanId",
      "parentSpanId",
      "name",
      "kind",
      "startTime",
      "endTime",
      "durationMs",
      "status",
      "attributes",
      "events",
      "resource",
      "scope",
    ]);
    expect(llm.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(llm.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(llm.traceId).toBe(chain.traceId);
    expect(llm.parentSpanId).toBe(chain.spanId);
    expect(chain.parentSpanId).toBeNull();
    expect(llm.kind).toBe("INTERNAL");
    expect(new Date(llm.startTime).toISOString()).toBe(llm.startTime);
    expect(new Date(llm.endTime).getTime()).toBeGreaterThanOrEqual(new Date(llm.startTime).getTime());
    expect(typeof llm.durationMs).toBe("number");
    expect(llm.status).toEqual({ code: "UNSET" });
    expect(chain.status).toEqual({ code: "ERROR", message: "boom" });
    expect(llm.attributes).toEqual({ "openinference.span.kind": "LLM", "llm.model_name": "gpt-4o-mini", "llm.token_count.prompt": 12, "llm.token_count.completion": 8 });
    expect(llm.events).toEqual([{ name: "first token", time: expect.stringMatching(/Z$/), attributes: { index: 0 } }]);
    expect(llm.resource).toEqual(expect.objectContaining({ "service.name": expect.any(String), "telemetry.sdk.language": "nodejs" }));
    expect(llm.scope).toEqual({ name: "sample-scope", version: "1.2.3" });
  });

  it("appends batches in the order they were exported, and forceFlush waits for them", async () => {
    const directory = temporaryDirectory();
    const exporter = new JsonlFileExporter({ directory });
    const results: number[] = [];
    for (let index = 0; index < 5; index++) exporter.export(sampleSpans(), (result) => results.push(result.code));
    await exporter.forceFlush();
    expect(results).toEqual([0, 0, 0, 0, 0]);
    const names = readLines(directory).map((line) => line.name);
    expect(names).toEqual(Array.from({ length: 5 }, () => ["OpenAI Chat Completions", "chain"]).flat());
  });

  it("reports a write failure as a failed export and through diag, without throwing, and recovers", async () => {
    const logs = captureDiag();
    try {
      const base = temporaryDirectory();
      const blocker = join(base, "not-a-folder");
      writeFileSync(blocker, "a file where the folder should be");
      const exporter = new JsonlFileExporter({ directory: join(blocker, "traces") });
      let result: { code: number; error?: Error } | undefined;
      expect(() => exporter.export(sampleSpans(), (outcome) => (result = outcome))).not.toThrow();
      await expect(exporter.forceFlush()).resolves.toBeUndefined();
      expect(result?.code).toBe(1);
      expect(result?.error?.message).toMatch(/ENOTDIR/); // a Node fs error (another realm than jest's Error)
      expect(logs.messages.join("\n")).toMatch(/error llmops:local could not write 2 span\(s\) to \S*not-a-folder\/traces: ENOTDIR/);

      // A second failure in a row is not another error line.
      await exportOnce(exporter);
      expect(logs.messages.filter((message) => message.startsWith("error"))).toHaveLength(1);
      expect(logs.messages.filter((message) => message.startsWith("debug llmops:local could not write"))).toHaveLength(1);

      // The chain goes on: a later export to a writable folder succeeds.
      const healthy = new JsonlFileExporter({ directory: join(base, "ok") });
      expect(await exportOnce(healthy)).toEqual({ code: 0 });
    } finally {
      logs.restore();
    }
  });

  it("keeps going when the SDK's callback throws", async () => {
    const directory = temporaryDirectory();
    const exporter = new JsonlFileExporter({ directory });
    exporter.export(sampleSpans(), () => {
      throw new Error("callback");
    });
    await exporter.forceFlush();
    expect(await exportOnce(exporter)).toEqual({ code: 0 });
    expect(readLines(directory)).toHaveLength(4);
  });

  it("fails exports after shutdown, once pending writes are done", async () => {
    const directory = temporaryDirectory();
    const exporter = new JsonlFileExporter({ directory });
    exporter.export(sampleSpans(), () => {});
    await exporter.shutdown();
    expect(readLines(directory)).toHaveLength(2);
    const after = await exportOnce(exporter);
    expect(after.code).toBe(1);
    expect(readLines(directory)).toHaveLength(2);
  });

  it("writes nothing and creates nothing for an empty batch", async () => {
    const directory = join(temporaryDirectory(), "empty");
    expect(await exportOnce(new JsonlFileExporter({ directory }), [])).toEqual({ code: 0 });
    expect(existsSync(directory)).toBe(false);
  });
});
