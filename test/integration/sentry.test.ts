import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { cleanEnvironment, runProcess, startHttpReceiver, startSentryReceiver } from "@llmops-internal/test-support";
import type { DecodedSpan, SentrySpan } from "@llmops-internal/test-support";
import { arizePackage, buildAndPack, corePackage, repo, runOrThrow } from "./support/pack";

/**
 * llmops next to the real `@sentry/node`, set up as docs/frameworks/sentry.md says, in a fresh app that installs the
 * packed tarballs with npm: Sentry sends its envelopes to a local receiver (the DSN points at it), llmops sends the LLM
 * spans to a local OTLP receiver standing in for Phoenix, and the real `openai` client talks to the OpenAI stand-in.
 * In either order of initialisation: the LLM span is in Sentry's trace, its parent is Sentry's active span, Sentry's
 * own tree keeps its parents, each call is traced once, and nobody prints "duplicate registration".
 */

const INSTALL_TIMEOUT_MILLIS = 8 * 60_000;
const RUN_TIMEOUT_MILLIS = 60_000;

/** Newest releases at the time of writing; `@opentelemetry/api` 1.9.1 is the one release both Sentry (^1.9.1) and the SDK 2.x (<1.10) accept. */
const VERSIONS = { "@sentry/node": "11.12.0", openai: "6.30.1", "@arizeai/openinference-instrumentation-openai": "4.2.7", "@opentelemetry/api": "1.9.1" };

/**
 * The app: Sentry as docs/frameworks/sentry.md sets it up (its OpenTelemetry setup on, its OpenAI integration left out
 * unless KEEP_SENTRY_OPENAI=1), llmops before or after it (ORDER), then a request span with a function span inside
 * that makes one chat completion. `openai` is loaded once both are set up, as the app's own modules are.
 */
const APP = `
const Sentry = require("@sentry/node");
const { instrument } = require("@llmops/platform-arize");

function initSentry() {
  Sentry.init({
    dsn: process.env.SENTRY_DSN,
    tracesSampleRate: 1,
    enableOpenTelemetrySetup: process.env.SENTRY_OTEL !== "0",
    integrations: (defaults) => (process.env.KEEP_SENTRY_OPENAI === "1" ? defaults : defaults.filter((integration) => integration.name !== "OpenAI")),
  });
}

(async () => {
  const { startOpenAIStandIn } = await import(process.env.STAND_INS_URL);
  const standIn = await startOpenAIStandIn();
  if (process.env.ORDER === "sentry-first") initSentry();
  const tracing = await instrument();
  if (process.env.ORDER === "llmops-first") initSentry();
  const OpenAI = require("openai");
  const client = new OpenAI({ baseURL: standIn.url, apiKey: "stand-in-key" });
  const answers = [];
  await Sentry.startSpan({ name: "handle request", op: "http.server" }, () =>
    Sentry.startSpan({ name: "answer question", op: "function" }, async () => {
      const completion = await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "sentry test: hello" }] });
      answers.push(completion.choices[0].message.content);
    }),
  );
  const shutdown = await tracing.shutdown();
  const flushed = await Sentry.flush(5000);
  await standIn.close();
  process.stdout.write(JSON.stringify({ answers, shutdown: shutdown.ok, flushed, requests: standIn.requests.length }) + "\\n");
})();
`;

const CONFIG = `service:
  name: sentry-app
arize:
  endpoint: "\${PHOENIX_COLLECTOR_ENDPOINT}"
instrumentation:
  openai: true
validation:
  mode: strict
`;

let temp: string | undefined;
let app = "";
let installOutput = "";

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), "llmops-sentry-"));
  const tarballs: Record<string, string> = {};
  for (const pkg of [corePackage, arizePackage]) tarballs[pkg.name] = await buildAndPack(pkg, join(temp, "tarballs"));
  app = join(temp, "app");
  mkdirSync(app, { recursive: true });
  const dependencies = { "@llmops/core": `file:${tarballs["@llmops/core"]}`, "@llmops/platform-arize": `file:${tarballs["@llmops/platform-arize"]}`, ...VERSIONS };
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "sentry-app", version: "1.0.0", private: true, dependencies }, null, 2));
  writeFileSync(join(app, "app.cjs"), APP);
  writeFileSync(join(app, "llmops.yaml"), CONFIG);
  const installed = await runOrThrow("npm install of the Sentry app", "npm", ["install", "--no-audit", "--no-fund"], { cwd: app, env: cleanEnvironment() });
  installOutput = `${installed.stdout}\n${installed.stderr}`;
}, INSTALL_TIMEOUT_MILLIS);

afterAll(() => {
  if (temp !== undefined && process.env.LLMOPS_KEEP_TEMP === undefined) rmSync(temp, { recursive: true, force: true });
});

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly sentry: SentrySpan[];
  readonly llm: DecodedSpan[];
}

async function runApp(order: "sentry-first" | "llmops-first", keepSentryOpenAI = false, sentryOpenTelemetry = true): Promise<Run> {
  const sentry = await startSentryReceiver();
  const phoenix = await startHttpReceiver();
  try {
    const env = cleanEnvironment({
      ORDER: order,
      KEEP_SENTRY_OPENAI: keepSentryOpenAI ? "1" : "0",
      SENTRY_OTEL: sentryOpenTelemetry ? "1" : "0",
      SENTRY_DSN: sentry.dsn,
      PHOENIX_COLLECTOR_ENDPOINT: phoenix.url,
      STAND_INS_URL: pathToFileURL(join(repo, "tools", "stand-ins", "src", "index.mjs")).href,
    });
    const run = await runProcess(process.execPath, ["app.cjs"], { cwd: app, env, timeoutMillis: RUN_TIMEOUT_MILLIS });
    return { code: run.code, stdout: run.stdout, stderr: run.stderr, sentry: [...sentry.spans], llm: phoenix.acceptedSpans() };
  } finally {
    await Promise.all([sentry.close(), phoenix.close()]);
  }
}

function byName(spans: readonly SentrySpan[], name: string): SentrySpan | undefined {
  return spans.find((span) => span.name === name);
}

it("npm installs the documented line next to @sentry/node without a peer warning or ERESOLVE", () => {
  expect(installOutput.split("\n").filter((line) => /ERESOLVE|peer dep|conflicting peer|Could not resolve/i.test(line))).toEqual([]);
});

describe.each(["sentry-first", "llmops-first"] as const)("Sentry and llmops, %s", (order) => {
  let run: Run;
  beforeAll(async () => {
    run = await runApp(order);
  }, RUN_TIMEOUT_MILLIS * 2);

  it("runs without a duplicate registration or any other output on stderr", () => {
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
    expect(JSON.parse(run.stdout)).toEqual({ answers: ['This is the stand-in answering "sentry test: hello".'], shutdown: true, flushed: true, requests: 1 });
  });

  it("puts the LLM span in Sentry's trace, as the child of Sentry's active span", () => {
    const answer = byName(run.sentry, "answer question");
    const llm = run.llm.filter((span) => span.attributes["openinference.span.kind"] === "LLM");
    expect(llm).toHaveLength(1);
    expect({ traceId: llm[0]?.traceId, parentSpanId: llm[0]?.parentSpanId }).toEqual({ traceId: answer?.traceId, parentSpanId: answer?.spanId });
  });

  it("keeps Sentry's own tree: request › function, every parent known to Sentry or the LLM platform, no LLM span sent to Sentry", () => {
    const request = byName(run.sentry, "handle request");
    const answer = byName(run.sentry, "answer question");
    expect({ request: request?.parentSpanId, answer: answer?.parentSpanId }).toEqual({ request: undefined, answer: request?.spanId });
    const known = new Set([...run.sentry, ...run.llm].map((span) => span.spanId));
    expect(run.sentry.filter((span) => span.parentSpanId !== undefined && !known.has(span.parentSpanId))).toEqual([]);
    expect(new Set(run.sentry.map((span) => span.traceId))).toEqual(new Set([request?.traceId]));
    // Traced once: OpenInference's span went to the platform, Sentry has no gen_ai span of the same call.
    expect(run.sentry.filter((span) => span.op?.startsWith("gen_ai") === true)).toEqual([]);
  });
});

it(
  "says once, naming both ways out, when Sentry's OpenAI integration is left on beside llmops's openai instrumentor",
  async () => {
    const run = await runApp("sentry-first", true);
    expect(run.code).toBe(0);
    expect(run.sentry.filter((span) => span.op?.startsWith("gen_ai") === true)).toHaveLength(1);
    const warnings = run.stderr.split("\n").filter((line) => line.includes("both trace each OpenAI call"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('defaults.filter((integration) => integration.name !== "OpenAI")');
    expect(warnings[0]).toContain("instrumentation.openai: false");
  },
  RUN_TIMEOUT_MILLIS * 2,
);

it(
  "says once that Sentry without its OpenTelemetry setup keeps LLM spans out of its traces; the LLM spans still nest and export",
  async () => {
    const run = await runApp("llmops-first", false, false);
    expect(run.code).toBe(0);
    const warnings = run.stderr.split("\n").filter((line) => line.includes("Sentry runs without its OpenTelemetry setup"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("enableOpenTelemetrySetup: true");
    const llm = run.llm.filter((span) => span.attributes["openinference.span.kind"] === "LLM");
    expect(llm).toHaveLength(1);
    expect(new Set(run.sentry.map((span) => span.traceId)).has(llm[0]?.traceId ?? "")).toBe(false);
  },
  RUN_TIMEOUT_MILLIS * 2,
);
