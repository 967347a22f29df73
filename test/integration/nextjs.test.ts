import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanEnvironment, runProcess, unusedPort } from "@llmops-internal/test-support";
import { buildAndPack, corePackage, localPackage, repo, runOrThrow } from "./support/pack";

/**
 * examples/nextjs as a user runs it: the packed tarballs installed with npm into a fresh copy of the app, then each
 * setup docs/frameworks/nextjs.md gives: `instrumentation.ts` with `next build` (Turbopack, Next 16's default, then
 * webpack) and `next start`; the same files with `next dev`; and the zero-code start, no `instrumentation.ts` and
 * `NODE_OPTIONS=--import @llmops/platform-local/register` for `next build` and `next start`. Each serves one request to
 * a route handler that calls the real `openai` client against the OpenAI stand-in, and gets SIGTERM right after the
 * response, as a deployment (or a developer) stops a server. The local platform's JSON lines must then hold the LLM
 * span, under the request span, with no framework span (the span filter's default), every parent link pointing at a
 * span that is there too.
 */

const INSTALL_TIMEOUT_MILLIS = 8 * 60_000;
const BUILD_TIMEOUT_MILLIS = 3 * 60_000;
const SERVE_TIMEOUT_MILLIS = 2 * 60_000;
const OPENAI_SCOPE = "@arizeai/openinference-instrumentation-openai";

interface JsonSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | null;
  readonly name: string;
  readonly attributes: Record<string, unknown>;
  readonly scope: { readonly name: string };
}

/** Starts the OpenAI stand-in in a child process (it is an ES module; jest's projects are CommonJS). */
async function startStandIn(folder: string): Promise<{ url: string; child: ChildProcess }> {
  const script = join(folder, "stand-in.mjs");
  writeFileSync(
    script,
    `import { startOpenAIStandIn } from ${JSON.stringify(join(repo, "tools", "stand-ins", "src", "index.mjs"))};
     const standIn = await startOpenAIStandIn();
     console.log("STAND-IN " + standIn.url);
     process.on("SIGTERM", () => standIn.close().then(() => process.exit(0)));`,
  );
  const child = spawn(process.execPath, [script], { stdio: ["ignore", "pipe", "inherit"], env: cleanEnvironment() });
  const url = await new Promise<string>((resolve, reject) => {
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /STAND-IN (\S+)/.exec(output);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.on("exit", (code) => reject(new Error(`the stand-in exited (${code}) before it listened`)));
  });
  return { url, child };
}

/** Installs examples/nextjs from the packed tarballs into a fresh folder. */
async function installApp(folder: string): Promise<string> {
  const tarballs = join(folder, "tarballs");
  const core = await buildAndPack(corePackage, tarballs);
  const local = await buildAndPack(localPackage, tarballs);
  const app = join(folder, "app");
  cpSync(join(repo, "examples", "nextjs"), app, { recursive: true, filter: (source) => !/[\\/](node_modules|\.next|\.llmops)$/.test(source) });
  const manifestFile = join(app, "package.json");
  const manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as { dependencies: Record<string, string> };
  manifest.dependencies["@llmops/core"] = `file:${core}`;
  manifest.dependencies["@llmops/platform-local"] = `file:${local}`;
  writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
  await runOrThrow("npm install of examples/nextjs", "npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], {
    cwd: app,
    env: cleanEnvironment({ CI: "true" }),
  });
  return app;
}

const ZERO_CODE_NODE_OPTIONS = "--import @llmops/platform-local/register";

interface Served {
  readonly code: number | null;
  readonly answer: unknown;
  readonly output: string;
  /** From SIGTERM to the exit. */
  readonly stopMillis: number;
}

/**
 * `next start` or `next dev` in a process group of its own (`next dev` forks the server, which must not outlive the
 * test), one request to /api/chat once it is ready, SIGTERM to the `next` process as soon as the response is in.
 */
async function serveOnce(app: string, standInUrl: string, command: "start" | "dev", env: NodeJS.ProcessEnv = {}): Promise<Served> {
  const port = await unusedPort();
  let answer: unknown;
  let asked = false;
  let stoppedAt = 0;
  const next = join(app, "node_modules", "next", "dist", "bin", "next");
  const run = await runProcess(process.execPath, [next, command, "--port", String(port), "--hostname", "127.0.0.1"], {
    cwd: app,
    env: cleanEnvironment({ OPENAI_BASE_URL: standInUrl, OPENAI_API_KEY: "test", NEXT_TELEMETRY_DISABLED: "1", ...env }),
    timeoutMillis: SERVE_TIMEOUT_MILLIS,
    processGroup: true,
    onLine: (line, child) => {
      if (asked || !line.includes("Ready in")) return;
      asked = true;
      void fetch(`http://127.0.0.1:${port}/api/chat?prompt=${encodeURIComponent("Hello from Next")}`, { signal: AbortSignal.timeout(SERVE_TIMEOUT_MILLIS / 2) })
        .then((response) => response.json())
        .then(
          (body: unknown) => (answer = body),
          (error: Error) => (answer = { error: error.message }),
        )
        .finally(() => {
          stoppedAt = Date.now();
          child.kill("SIGTERM");
        });
    },
  });
  const output = run.stdout + run.stderr;
  if (stoppedAt === 0) throw new Error(`next ${command} exited (${run.code}) before it answered:\n${output}`);
  return { code: run.code, answer, output, stopMillis: Date.now() - stoppedAt };
}

/** `next build` in a fresh `.next`, with no `.llmops` left from an earlier case; throws with its output unless it succeeded. */
async function build(app: string, flags: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  rmSync(join(app, ".llmops"), { recursive: true, force: true });
  rmSync(join(app, ".next"), { recursive: true, force: true });
  const run = await runProcess(process.execPath, [join(app, "node_modules", "next", "dist", "bin", "next"), "build", ...flags], {
    cwd: app,
    env: cleanEnvironment({ NEXT_TELEMETRY_DISABLED: "1", ...env }),
    timeoutMillis: BUILD_TIMEOUT_MILLIS,
    processGroup: true,
  });
  if (run.code !== 0) throw new Error(`next build ${flags.join(" ")} failed (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  return run.stdout + run.stderr;
}

function readSpans(app: string): JsonSpan[] {
  const directory = join(app, ".llmops", "traces");
  if (!existsSync(directory)) return [];
  return readdirSync(directory)
    .filter((file) => file.endsWith(".jsonl"))
    .flatMap((file) => readFileSync(join(directory, file), "utf8").split("\n").filter(Boolean))
    .map((line) => JSON.parse(line) as JsonSpan);
}

/** The request's trace as the backend holds it: the LLM span under the request span, and nothing of Next's own. */
function expectRequestTrace(spans: readonly JsonSpan[]): void {
  const llm = spans.filter((span) => span.scope.name === OPENAI_SCOPE);
  expect(llm).toHaveLength(1);
  const request = spans.find((span) => span.spanId === llm[0]?.parentSpanId);
  expect(request?.name).toBe("GET /api/chat");
  expect(request?.traceId).toBe(llm[0]?.traceId);
  // Only LLM-relevant spans, and the request that holds them: none of Next's own (route and module loading, `fetch`,
  // instrumentation; nine more for the first request of `next dev`).
  expect(spans.map((span) => span.name).sort()).toEqual(["GET /api/chat", llm[0]?.name].sort());
  const ids = new Set(spans.map((span) => span.spanId));
  for (const span of spans) if (span.parentSpanId !== null) expect(ids.has(span.parentSpanId)).toBe(true);
}

describe("examples/nextjs: each setup of the docs, one request, SIGTERM", () => {
  const folder = mkdtempSync(join(tmpdir(), "llmops-nextjs-"));
  let app: Promise<string>;
  let standIn: Promise<{ url: string; child: ChildProcess }>;

  beforeAll(() => {
    app = installApp(folder);
    standIn = startStandIn(folder);
  });

  afterAll(async () => {
    (await standIn.catch(() => undefined))?.child.kill("SIGTERM");
    if (process.env.LLMOPS_KEEP_TEMP !== "1") rmSync(folder, { recursive: true, force: true });
  });

  it.each([
    ["Turbopack", []],
    ["webpack", ["--webpack"]],
  ])(
    "instrumentation.ts, %s build, next start: the LLM span of the route's openai call reaches the backend, under the request span, though the server is stopped right after the response",
    async (_bundler, flags) => {
      const root = await app;
      const { url } = await standIn;
      await build(root, flags);
      // The build is not traced: no spans before the server starts.
      expect(readSpans(root)).toEqual([]);
      const served = await serveOnce(root, url, "start");
      expect(served.answer).toEqual({ prompt: "Hello from Next", answer: expect.stringContaining("stand-in") });
      // Next's own exit code for SIGTERM: llmops flushed, then let Next exit as it does.
      expect(served.code).toBe(143);
      expect(served.stopMillis).toBeLessThan(10_000);
      expectRequestTrace(readSpans(root));
      expect(served.output).not.toMatch(/\(node:\d+\) \w*Warning/);
    },
    INSTALL_TIMEOUT_MILLIS + BUILD_TIMEOUT_MILLIS + SERVE_TIMEOUT_MILLIS,
  );

  // `next dev` (Turbopack) forks the server and, at SIGTERM, forwards the signal to it and kills it 100 ms later
  // (NEXT_EXIT_TIMEOUT_MS): the flush of the spans of the request just answered has that long.
  it(
    "instrumentation.ts, next dev: the route compiled by its first request traces its openai call, under the request span, and the spans reach the backend though the dev server is stopped right after the response",
    async () => {
      const root = await app;
      const { url } = await standIn;
      rmSync(join(root, ".llmops"), { recursive: true, force: true });
      const served = await serveOnce(root, url, "dev");
      expect(served.answer).toEqual({ prompt: "Hello from Next", answer: expect.stringContaining("stand-in") });
      // The parent `next dev` process exits 0 once its server is gone.
      expect(served.code).toBe(0);
      expect(served.stopMillis).toBeLessThan(10_000);
      expectRequestTrace(readSpans(root));
      expect(served.output).not.toMatch(/\(node:\d+\) \w*Warning/);
    },
    INSTALL_TIMEOUT_MILLIS + SERVE_TIMEOUT_MILLIS,
  );

  // The zero-code start of the docs: no instrumentation.ts, the preload in NODE_OPTIONS, set for `next build` too, as
  // a deployment that sets it for every command does. The build says it is not traced, and writes no span.
  it(
    "zero code, NODE_OPTIONS=--import …/register for next build and next start: the build is not traced, the request's LLM span reaches the backend under the request span",
    async () => {
      const root = await app;
      const { url } = await standIn;
      const instrumentationFile = join(root, "instrumentation.ts");
      const setAside = join(folder, "instrumentation.ts");
      renameSync(instrumentationFile, setAside);
      try {
        const output = await build(root, [], { NODE_OPTIONS: ZERO_CODE_NODE_OPTIONS, LLMOPS_LOG_LEVEL: "info" });
        expect(output).toContain("next build is running: llmops does not trace the build");
        expect(readSpans(root)).toEqual([]);
        const served = await serveOnce(root, url, "start", { NODE_OPTIONS: ZERO_CODE_NODE_OPTIONS });
        expect(served.answer).toEqual({ prompt: "Hello from Next", answer: expect.stringContaining("stand-in") });
        expect(served.code).toBe(143);
        expect(served.stopMillis).toBeLessThan(10_000);
        expectRequestTrace(readSpans(root));
        expect(served.output).not.toMatch(/\(node:\d+\) \w*Warning/);
      } finally {
        renameSync(setAside, instrumentationFile);
      }
    },
    INSTALL_TIMEOUT_MILLIS + BUILD_TIMEOUT_MILLIS + SERVE_TIMEOUT_MILLIS,
  );
});
