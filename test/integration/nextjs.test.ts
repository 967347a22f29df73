import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanEnvironment, runProcess, unusedPort } from "@llmops-internal/test-support";
import { buildAndPack, corePackage, localPackage, repo, runOrThrow } from "./support/pack";

/**
 * examples/nextjs as a user runs it: the packed tarballs installed with npm into a fresh copy of the app, `next build`
 * (Turbopack, Next 16's default, then webpack), `next start`, one request to a route handler that calls the real
 * `openai` client against the OpenAI stand-in, and SIGTERM right after the response, as a deployment stops a server.
 * The local platform's JSON lines must then hold the LLM span, under the request span, with no framework span
 * (the span filter's default), every parent link pointing at a span that is there too.
 */

const INSTALL_TIMEOUT_MILLIS = 8 * 60_000;
const BUILD_TIMEOUT_MILLIS = 3 * 60_000;
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

/** `next start`, one request to /api/chat once it is ready, SIGTERM as soon as the response is in. */
async function serveOnce(app: string, standInUrl: string): Promise<{ code: number | null; answer: unknown; output: string; stopMillis: number }> {
  const port = await unusedPort();
  let answer: unknown;
  let stoppedAt = 0;
  let asked = false;
  const next = join(app, "node_modules", "next", "dist", "bin", "next");
  const run = await runProcess(process.execPath, [next, "start", "--port", String(port), "--hostname", "127.0.0.1"], {
    cwd: app,
    env: cleanEnvironment({ OPENAI_BASE_URL: standInUrl, OPENAI_API_KEY: "test", NEXT_TELEMETRY_DISABLED: "1" }),
    timeoutMillis: 60_000,
    onLine: (line, child) => {
      if (asked || !line.includes("Ready in")) return;
      asked = true;
      void fetch(`http://127.0.0.1:${port}/api/chat?prompt=${encodeURIComponent("Hello from Next")}`)
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
  return { code: run.code, answer, output: run.stdout + run.stderr, stopMillis: Date.now() - stoppedAt };
}

function readSpans(app: string): JsonSpan[] {
  const directory = join(app, ".llmops", "traces");
  if (!existsSync(directory)) return [];
  return readdirSync(directory)
    .filter((file) => file.endsWith(".jsonl"))
    .flatMap((file) => readFileSync(join(directory, file), "utf8").split("\n").filter(Boolean))
    .map((line) => JSON.parse(line) as JsonSpan);
}

describe("examples/nextjs: next build, next start, one request, SIGTERM", () => {
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

  // The Turbopack build also runs with llmops's zero-code preload in NODE_OPTIONS, as a deployment that sets it for
  // every command does: the build says it is not traced, and writes no span.
  it.each([
    ["Turbopack", [], { NODE_OPTIONS: "--import @llmops/platform-local/register", LLMOPS_LOG_LEVEL: "info" }],
    ["webpack", ["--webpack"], {}],
  ])(
    "%s build: the LLM span of the route's openai call reaches the backend, under the request span, though the server is stopped right after the response",
    async (_bundler, flags, buildEnv) => {
      const root = await app;
      const { url } = await standIn;
      rmSync(join(root, ".llmops"), { recursive: true, force: true });
      rmSync(join(root, ".next"), { recursive: true, force: true });
      const build = await runProcess(process.execPath, [join(root, "node_modules", "next", "dist", "bin", "next"), "build", ...flags], {
        cwd: root,
        env: cleanEnvironment({ NEXT_TELEMETRY_DISABLED: "1", ...buildEnv }),
        timeoutMillis: BUILD_TIMEOUT_MILLIS,
      });
      if (build.code !== 0) throw new Error(`next build ${flags.join(" ")} failed (exit ${build.code}):\n${build.stdout}\n${build.stderr}`);
      // The build is not traced: no spans before the server starts.
      expect(readSpans(root)).toEqual([]);
      if ("NODE_OPTIONS" in buildEnv) expect(build.stdout + build.stderr).toContain("next build is running: llmops does not trace the build");
      const served = await serveOnce(root, url);
      expect(served.answer).toEqual({ prompt: "Hello from Next", answer: expect.stringContaining("stand-in") });
      // Next's own exit code for SIGTERM: llmops flushed, then let Next exit as it does.
      expect(served.code).toBe(143);
      expect(served.stopMillis).toBeLessThan(10_000);
      const spans = readSpans(root);
      const llm = spans.filter((span) => span.scope.name === OPENAI_SCOPE);
      expect(llm).toHaveLength(1);
      const request = spans.find((span) => span.spanId === llm[0]?.parentSpanId);
      expect(request?.name).toBe("GET /api/chat");
      expect(request?.traceId).toBe(llm[0]?.traceId);
      // Only LLM-relevant spans, and the request that holds them: no route loading, fetch or module spans of Next.
      expect(spans.map((span) => span.name).sort()).toEqual(["GET /api/chat", llm[0]?.name].sort());
      const ids = new Set(spans.map((span) => span.spanId));
      for (const span of spans) if (span.parentSpanId !== null) expect(ids.has(span.parentSpanId)).toBe(true);
      expect(served.output).not.toMatch(/\(node:\d+\) \w*Warning/);
    },
    INSTALL_TIMEOUT_MILLIS + BUILD_TIMEOUT_MILLIS,
  );
});
