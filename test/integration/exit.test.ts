import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanEnvironment } from "@llmops-internal/test-support";

/**
 * Flush-on-exit against the built core, in real child processes: queued spans are delivered on a natural exit and
 * on SIGTERM, the process ends as it would have without llmops (same signal, same code), and a dead backend does not
 * hold the exit past the timeout.
 */
const coreDist = join(__dirname, "..", "..", "packages", "core", "dist", "index.cjs");

function script(exporter: string, body: string, prelude = ""): string {
  return `
    ${prelude}
    const { definePlatform, registerPlatform, getPlatform } = require(${JSON.stringify(coreDist)});
    const fs = require("node:fs");
    const v = require(require.resolve("valibot", { paths: [${JSON.stringify(join(coreDist, ".."))}] }));
    const out = process.env.OUT_FILE;
    const exporter = ${exporter};
    registerPlatform(definePlatform({
      name: "exit-test", configSection: "exit", packageName: "exit-test",
      schema: v.object({}),
      instrumentors: [],
      createTracerProvider: ({ assembleTracerProvider }) => assembleTracerProvider({ exporters: [exporter] }),
    }));
    (async () => {
      const tracing = await getPlatform("exit-test").instrument({ config: { service: { name: "exit" } }, flushOnExit: { timeoutMillis: 700 } });
      const tracer = tracing.tracerProvider.getTracer("t");
      for (let i = 0; i < 3; i++) tracer.startSpan("queued-" + i).end();
      ${body}
    })();`;
}

const fileExporter = `{ export(spans, done) { fs.appendFileSync(out, spans.map((s) => s.name + "\\n").join("")); done({ code: 0 }); }, shutdown: async () => {}, forceFlush: async () => {} }`;
const deadExporter = `{ export() { /* the backend never answers */ }, shutdown: () => new Promise(() => {}), forceFlush: () => new Promise(() => {}) }`;
// Like a request to a collector that accepts and never answers: it holds the event loop, and nothing ends it.
// A batch already handed to the exporter when the signal comes: its export never answers, and nothing is queued.
const inFlightExporter = `{ export() { console.log("READY"); }, shutdown: () => new Promise(() => {}), forceFlush: async () => {} }`;
// A backend that takes a while to answer: a process that exits at once loses what it was sending.
const slowExporter = `{ export(spans, done) { setTimeout(() => { fs.appendFileSync(out, spans.map((s) => s.name + "\\n").join("")); done({ code: 0 }); }, 300); }, shutdown: async () => {}, forceFlush: async () => {} }`;
const holdingExporter = `{ export() { setInterval(() => {}, 1000); }, shutdown: () => new Promise(() => {}), forceFlush: () => new Promise(() => {}) }`;

function run(source: string, afterStart?: (child: ReturnType<typeof spawn>) => void) {
  const folder = mkdtempSync(join(tmpdir(), "llmops-exit-"));
  const file = join(folder, "app.cjs");
  const out = join(folder, "spans.txt");
  writeFileSync(file, source);
  // A long schedule delay keeps the spans queued until the exit flush.
  const env = cleanEnvironment({ OUT_FILE: out, OTEL_BSP_SCHEDULE_DELAY: "600000" });
  const started = Date.now();
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; spans: string[]; millis: number; stderr: string }>((resolve) => {
    // A child held past this is killed, and the test sees the signal.
    const child = spawn(process.execPath, [file], { env, stdio: ["ignore", "pipe", "pipe"], timeout: 20_000, killSignal: "SIGKILL" });
    let stderr = "";
    let stdout = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes("READY") && afterStart !== undefined) {
        const send = afterStart;
        afterStart = undefined;
        send(child);
      }
    });
    child.on("exit", (code, signal) => {
      const spans = existsSync(out) ? readFileSync(out, "utf8").trim().split("\n").filter(Boolean) : [];
      resolve({ code, signal, spans, millis: Date.now() - started, stderr });
    });
  });
}

describe("flush on exit (child processes, built core)", () => {
  it("delivers queued spans when the event loop empties, and exits 0 as before", async () => {
    const result = await run(script(fileExporter, ""));
    expect(result.stderr).toBe("");
    expect(result).toEqual(expect.objectContaining({ code: 0, signal: null, spans: ["queued-0", "queued-1", "queued-2"] }));
  });

  it("on SIGTERM delivers queued spans, then ends by the same signal as without llmops", async () => {
    const result = await run(script(fileExporter, `setInterval(() => {}, 1000); console.log("READY");`), (child) => child.kill("SIGTERM"));
    expect(result.spans).toEqual(["queued-0", "queued-1", "queued-2"]);
    expect(result.signal).toBe("SIGTERM");
  });

  it("leaves the exit to an app that handles SIGINT itself", async () => {
    const body = `process.on("SIGINT", () => { setTimeout(() => process.exit(42), 100); }); setInterval(() => {}, 1000); console.log("READY");`;
    const result = await run(script(fileExporter, body), (child) => child.kill("SIGINT"));
    expect(result.spans).toEqual(["queued-0", "queued-1", "queued-2"]);
    expect(result).toEqual(expect.objectContaining({ code: 42, signal: null }));
  });

  it("natural exit: an export that holds the event loop is given up at the bound, with one line, and the app's exit code is kept", async () => {
    const result = await run(script(holdingExporter, "process.exitCode = 3;"));
    expect(result).toEqual(expect.objectContaining({ code: 3, signal: null }));
    expect(result.millis).toBeLessThan(700 + 5_000);
    expect(result.stderr.trim().split("\n")).toEqual([expect.stringContaining("3 spans were lost at exit: the flush at exit did not finish within 700 ms (flushOnExit.timeoutMillis)")]);
  }, 30_000);

  it("on SIGTERM with a batch in flight: waits for it up to the bound, then counts it lost in one line, and ends by the signal", async () => {
    const body = `setInterval(() => {}, 1000); tracing.forceFlush({ timeoutMillis: 50 });`;
    const result = await run(script(inFlightExporter, body), (child) => child.kill("SIGTERM"));
    expect(result.signal).toBe("SIGTERM");
    expect(result.millis).toBeGreaterThanOrEqual(700);
    expect(result.millis).toBeLessThan(5_000);
    expect(result.stderr).toContain("3 spans were lost at exit: the flush at exit did not finish within 700 ms (flushOnExit.timeoutMillis)");
  });

  it("does not hold the exit past the timeout when the backend is dead", async () => {
    const result = await run(script(deadExporter, `setInterval(() => {}, 1000); console.log("READY");`), (child) => child.kill("SIGTERM"));
    expect(result.signal).toBe("SIGTERM");
    expect(result.millis).toBeLessThan(5_000);
    expect(result.stderr).toContain("3 spans were lost at exit: the flush at exit did not finish within 700 ms (flushOnExit.timeoutMillis)");
  });

  // Next.js's server listens for SIGTERM before instrumentation.ts runs, closes, then calls process.exit(143).
  it.each([
    ["after closing (asynchronously), as Next.js's server does", `process.on("SIGTERM", () => setTimeout(() => process.exit(143), 20));`],
    ["at once, from a listener added before instrument()", `process.on("SIGTERM", () => process.exit(143));`],
  ])("an app whose SIGTERM listener calls process.exit(143) %s: queued spans are delivered first, then it exits 143", async (_how, listener) => {
    const result = await run(script(slowExporter, `setInterval(() => {}, 1000); console.log("READY");`, listener), (child) => child.kill("SIGTERM"));
    expect(result.stderr).toBe("");
    expect(result).toEqual(expect.objectContaining({ code: 143, signal: null, spans: ["queued-0", "queued-1", "queued-2"] }));
  });

  it("an app that calls process.exit(143) at SIGTERM is not held past the bound by a dead backend", async () => {
    const result = await run(script(deadExporter, `setInterval(() => {}, 1000); console.log("READY");`, `process.on("SIGTERM", () => setTimeout(() => process.exit(143), 20));`), (child) =>
      child.kill("SIGTERM"),
    );
    expect(result.code).toBe(143);
    expect(result.millis).toBeLessThan(5_000);
    expect(result.stderr).toContain("3 spans were lost at exit");
  });
});
