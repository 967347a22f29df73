import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { JsonlFileExporter } from "../src/export/jsonl-file-exporter";
import type { JsonlFileHandle, JsonlFileSystem } from "../src/export/jsonl-file-exporter";
import { toSpanRecord } from "../src/export/span-record";
import { captureDiag } from "@llmops-internal/test-support";
import { sampleSpans, temporaryDirectory } from "./helpers";

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
    expect(Object.keys(llm)).toEqual(["traceId", "spanId", "parentSpanId", "name", "kind", "startTime", "endTime", "durationMs", "status", "attributes", "events", "resource", "scope"]);
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

  describe("traces are personal data", () => {
    it("creates files 0600 and folders 0700, whatever the umask allows, and a .gitignore in the first folder it creates", async () => {
      const previous = process.umask(0o002); // a permissive umask: the modes must come from the exporter, not from it
      try {
        const root = temporaryDirectory();
        const directory = join(root, ".llmops", "traces");
        expect(await exportOnce(new JsonlFileExporter({ directory, root }))).toEqual({ code: 0 });
        expect(statSync(join(root, ".llmops")).mode & 0o777).toBe(0o700);
        expect(statSync(directory).mode & 0o777).toBe(0o700);
        const [file] = readdirSync(directory);
        expect(statSync(join(directory, file as string)).mode & 0o777).toBe(0o600);
        expect(readFileSync(join(root, ".llmops", ".gitignore"), "utf8")).toMatch(/^\*$/m);
        expect(statSync(join(root, ".llmops", ".gitignore")).mode & 0o777).toBe(0o600);
      } finally {
        process.umask(previous);
      }
    });

    it("does not write through a symlinked folder, with one warning while it lasts", async () => {
      const logs = captureDiag();
      try {
        for (const linked of [".llmops", join(".llmops", "traces")]) {
          logs.messages.length = 0;
          const root = temporaryDirectory();
          const elsewhere = temporaryDirectory("llmops-elsewhere-");
          mkdirSync(join(root, linked, ".."), { recursive: true });
          symlinkSync(elsewhere, join(root, linked), "dir");
          const exporter = new JsonlFileExporter({ directory: join(root, ".llmops", "traces"), root });
          expect((await exportOnce(exporter)).code).toBe(1);
          expect((await exportOnce(exporter)).code).toBe(1);
          expect(readdirSync(elsewhere)).toEqual([]);
          const warnings = logs.messages.filter((message) => message.startsWith("warn"));
          expect(warnings).toHaveLength(1);
          expect(warnings[0]).toContain(`refusing to write traces through the symbolic link ${join(root, linked)}`);
          expect(logs.messages.filter((message) => message.startsWith("error"))).toEqual([]);
        }
      } finally {
        logs.restore();
      }
    });

    it("does not follow a symlinked daily file", async () => {
      const logs = captureDiag();
      try {
        const directory = temporaryDirectory();
        const target = join(temporaryDirectory("llmops-elsewhere-"), "target.txt");
        writeFileSync(target, "untouched\n");
        const spans = sampleSpans();
        symlinkSync(target, join(directory, `${toSpanRecord(spans[0]!).startTime.slice(0, 10)}.jsonl`));
        expect((await exportOnce(new JsonlFileExporter({ directory }), spans)).code).toBe(1);
        expect(readFileSync(target, "utf8")).toBe("untouched\n");
        expect(logs.messages.filter((message) => message.startsWith("warn"))).toEqual([expect.stringContaining("refusing to write traces through the symbolic link")]);
      } finally {
        logs.restore();
      }
    });
  });

  describe("a write cut short", () => {
    /** Node's file operations, except that after `succeed` writes the next one puts half its bytes on disk and fails. */
    function fullDisk(options: { succeed: number; truncate?: "works" | "fails" }): JsonlFileSystem {
      let succeed = options.succeed;
      let failures = 1;
      const base: JsonlFileSystem = {
        mkdir: (path, mkdirOptions) => import("node:fs/promises").then((fs) => fs.mkdir(path, mkdirOptions)),
        lstat: (path) => import("node:fs/promises").then((fs) => fs.lstat(path)),
        writeNew: (path, text) => import("node:fs/promises").then((fs) => fs.writeFile(path, text)),
        open: async (path, flags, mode) => {
          const handle = await open(path, flags, mode);
          const wrapped: JsonlFileHandle = {
            read: handle.read.bind(handle),
            stat: handle.stat.bind(handle),
            close: handle.close.bind(handle),
            truncate: (length?: number) => (options.truncate === "fails" ? Promise.reject(new Error("EIO: truncate failed")) : handle.truncate(length)),
            write: (async (buffer: Buffer, offset: number, length: number) => {
              if (succeed-- > 0 || failures === 0) return handle.write(buffer, offset, length);
              failures -= 1;
              await handle.write(buffer, offset, Math.floor(length / 2));
              throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
            }) as JsonlFileHandle["write"],
          };
          return wrapped;
        },
      };
      return base;
    }

    function lines(directory: string): string[] {
      const [file] = readdirSync(directory).filter((name) => name.endsWith(".jsonl"));
      const text = readFileSync(join(directory, file as string), "utf8");
      expect(text.endsWith("\n")).toBe(true);
      return text.slice(0, -1).split("\n");
    }

    it("rolls a half-written batch back, so every line parses and the next record starts its own line", async () => {
      const directory = temporaryDirectory();
      const exporter = new JsonlFileExporter({ directory, fileSystem: fullDisk({ succeed: 1 }) });
      expect((await exportOnce(exporter)).code).toBe(0);
      expect((await exportOnce(exporter)).code).toBe(1);
      expect((await exportOnce(exporter)).code).toBe(0);
      const written = lines(directory);
      expect(written).toHaveLength(4);
      for (const line of written) expect(() => JSON.parse(line)).not.toThrow();
    });

    it("ends a partial line it could not roll back before writing the next record", async () => {
      const directory = temporaryDirectory();
      const exporter = new JsonlFileExporter({ directory, fileSystem: fullDisk({ succeed: 0, truncate: "fails" }) });
      expect((await exportOnce(exporter)).code).toBe(1);
      expect((await exportOnce(exporter)).code).toBe(0);
      const [partial, ...records] = lines(directory);
      expect(() => JSON.parse(partial as string)).toThrow();
      expect(records).toHaveLength(2);
      for (const line of records) expect(JSON.parse(line)).toEqual(expect.objectContaining({ traceId: expect.stringMatching(/^[0-9a-f]{32}$/) }));
    });

    it("ends a line a killed process left unfinished before appending to its file", async () => {
      const directory = temporaryDirectory();
      const spans = sampleSpans();
      const file = join(directory, `${toSpanRecord(spans[0]!).startTime.slice(0, 10)}.jsonl`);
      writeFileSync(file, `${JSON.stringify(toSpanRecord(spans[0]!))}\n{"traceId":"0af76519`);
      expect(await exportOnce(new JsonlFileExporter({ directory }), spans)).toEqual({ code: 0 });
      const written = lines(directory);
      expect(written).toHaveLength(4);
      expect(written[1]).toBe('{"traceId":"0af76519');
      for (const line of [written[0], written[2], written[3]]) expect(() => JSON.parse(line as string)).not.toThrow();
      expect(lstatSync(file).isFile()).toBe(true);
    });
  });
});
