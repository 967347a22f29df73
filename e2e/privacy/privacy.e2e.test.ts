import { createHmac } from "node:crypto";
import { join } from "node:path";
import { cleanEnvironment, lastJsonLine, runNode } from "@llmops-internal/test-support";
import { getExperimentIdByName, getTrace, listTraces, mlflowSpanAttributes, searchTraces, startMlflow } from "../harness/mlflow";
import type { MlflowServer, MlflowTrace } from "../harness/mlflow";
import { listPhoenixSpans, readPhoenixSpans, startPhoenix } from "../harness/phoenix";
import type { PhoenixServer, PhoenixSpan } from "../harness/phoenix";

/**
 * The privacy detectors against real Phoenix and MLflow servers: an OpenAI call (the real openai client, a local
 * stand-in that quotes the prompt in its answer) whose prompt and answer hold an email address, a card number and an
 * API key, traced with `hash` for emails and `redact` for the rest (e2e/privacy/llmops.yaml). What the servers' REST
 * APIs hand back holds none of the raw values, and the email's token is the same in the agent's span and the LLM span.
 */
const EMAIL = "jane.doe@example.com";
const CARD = "4111 1111 1111 1111";
const KEY = "sk-proj-Qx7Lm2Nc9Rt4Vb8Wy3Zk6Hs1Jd5";
// Short enough for the stand-in to quote it whole in its answer (it cuts the prompt at 80 characters).
const MESSAGE = `${EMAIL} ${CARD} ${KEY}`;
const SALT = "e2e-privacy-salt-5f1c9a7e";

/** The token `hash` makes of the email: HMAC-SHA256 keyed by the salt, of the detector name and the lower-cased address. */
const EMAIL_TOKEN = `[EMAIL:${createHmac("sha256", SALT).update(`email\u0000${EMAIL}`).digest("hex").slice(0, 12)}]`;

/** Every form in which a raw value could travel: as written, without separators, JSON-escaped, upper-cased. */
const RAW_FORMS = [EMAIL, EMAIL.toUpperCase(), "jane.doe", CARD, CARD.replace(/ /g, ""), CARD.replace(/ /g, "-"), KEY, KEY.slice(8)];

interface PrivacyAppResult {
  active: boolean;
  issues: unknown[];
  configFile: string;
  shutdown: { ok: boolean; timedOut: boolean };
  answer: string;
  chatRequests: number;
}

async function runPrivacyApp(platform: "arize" | "mlflow", env: Record<string, string>): Promise<PrivacyAppResult & { stderr: string }> {
  const { code, stdout, stderr } = await runNode([join(__dirname, "privacy-app.mjs")], {
    cwd: join(__dirname, ".."),
    env: cleanEnvironment({
      LLMOPS_E2E_PLATFORM: platform,
      LLMOPS_CONFIG_PATH: join(__dirname, "llmops.yaml"),
      LLMOPS_PRIVACY_SALT: SALT,
      LLMOPS_E2E_MESSAGE: MESSAGE,
      ...env,
    }),
  });
  const result = code === 0 ? lastJsonLine<PrivacyAppResult>(stdout) : undefined;
  if (result === undefined) throw new Error(`privacy app failed (${code === 0 ? "no JSON result" : `exit ${code}`})\nstdout: ${stdout}\nstderr: ${stderr}`);
  return { ...result, stderr };
}

function expectNoRawValue(text: string): void {
  for (const form of RAW_FORMS) expect({ form, found: text.includes(form) }).toEqual({ form, found: false });
}

function expectRanWithTracing(app: PrivacyAppResult): void {
  expect(app).toEqual(expect.objectContaining({ active: true, issues: [], configFile: join(__dirname, "llmops.yaml"), shutdown: expect.objectContaining({ ok: true }), chatRequests: 1 }));
  // The app itself got the raw values back: only what leaves for the server is masked.
  expect(app.answer).toContain(EMAIL);
  expect(app.answer).toContain(CARD);
  expect(app.answer).toContain(KEY);
}

let phoenix: PhoenixServer;
let mlflow: MlflowServer;
let phoenixRun: { app: PrivacyAppResult & { stderr: string }; spans: PhoenixSpan[]; text: string };
let mlflowRun: { app: PrivacyAppResult & { stderr: string }; traces: MlflowTrace[]; text: string };

beforeAll(async () => {
  [phoenix, mlflow] = await Promise.all([startPhoenix(), startMlflow()]);
  const project = `llmops-e2e-privacy-${process.pid}`;
  const [arizeApp, mlflowApp] = await Promise.all([
    runPrivacyApp("arize", { LLMOPS_E2E_PHOENIX_URL: phoenix.url, LLMOPS_E2E_PROJECT: project }),
    runPrivacyApp("mlflow", { LLMOPS_E2E_MLFLOW_URL: mlflow.url, LLMOPS_E2E_PROJECT: project }),
  ]);
  // Two spans each: the agent and the OpenAI call.
  const spans = await readPhoenixSpans(phoenix.url, project, { minCount: 2, timeoutMs: 60_000 });
  phoenixRun = { app: arizeApp, spans, text: JSON.stringify(await listPhoenixSpans(phoenix.url, project)) };
  const experimentId = await getExperimentIdByName(mlflow.url, project);
  if (experimentId === undefined) throw new Error(`MLflow has no experiment "${project}"`);
  const infos = await searchTraces(mlflow.url, experimentId, { minCount: 1, timeoutMs: 60_000 });
  const traces = await Promise.all(infos.map((info) => getTrace(mlflow.url, info.trace_id)));
  mlflowRun = { app: mlflowApp, traces, text: JSON.stringify({ listed: await listTraces(mlflow.url, experimentId), traces }) };
}, 600_000);

afterAll(async () => {
  await Promise.all([phoenix?.stop(), mlflow?.stop()]);
}, 60_000);

describe("privacy detectors → real Phoenix", () => {
  it("the app ran its OpenAI call with tracing on, and got the raw values back", () => {
    expectRanWithTracing(phoenixRun.app);
    expect(phoenixRun.app.stderr).not.toMatch(/warn|error/i);
  });

  it("no raw email, card number or API key anywhere in what Phoenix's REST API returns", () => {
    expect(phoenixRun.spans.map((span) => `${span.span_kind} ${span.name}`).sort()).toEqual(["AGENT support_agent", "LLM OpenAI Chat Completions"]);
    expectNoRawValue(phoenixRun.text);
  });

  it("the email has the same salted token in the agent's span and the LLM span; the card and the key are redacted", () => {
    const agent = phoenixRun.spans.find((span) => span.span_kind === "AGENT");
    const llm = phoenixRun.spans.find((span) => span.span_kind === "LLM");
    const expected = `${EMAIL_TOKEN} [REDACTED:CARD] [REDACTED:API_KEY]`;
    expect(agent?.attributes["input.value"]).toBe(expected);
    expect(agent?.attributes["output.value"]).toContain(expected);
    expect(llm?.attributes["input.value"]).toContain(expected);
    expect(llm?.attributes["output.value"]).toContain(expected);
    expect(String(llm?.attributes["llm.input_messages"] ?? JSON.stringify(llm?.attributes))).toContain(EMAIL_TOKEN);
    expect(llm?.attributes["llm.model_name"]).toBe("gpt-4o-mini");
  });

  it("llm.cost.total is the configured price of the call's tokens, and the agent carries the same sum", () => {
    const agent = phoenixRun.spans.find((span) => span.span_kind === "AGENT");
    const llm = phoenixRun.spans.find((span) => span.span_kind === "LLM");
    const expected = expectedCost(llm?.attributes ?? {});
    expect(expected).toBeGreaterThan(0);
    expect(Number(llm?.attributes["llm.cost.total"])).toBeCloseTo(expected, 12);
    expect(Number(agent?.attributes["llm.cost.total"])).toBeCloseTo(expected, 12);
  });
});

describe("privacy detectors → real MLflow", () => {
  it("the app ran its OpenAI call with tracing on, and got the raw values back", () => {
    expectRanWithTracing(mlflowRun.app);
    expect(mlflowRun.app.stderr).not.toMatch(/warn|error/i);
  });

  it("no raw email, card number or API key anywhere in what MLflow's REST API returns (trace list, previews, spans)", () => {
    expect(mlflowRun.traces).toHaveLength(1);
    expect(mlflowRun.traces[0]?.spans.map((span) => span.name).sort()).toEqual(["OpenAI Chat Completions", "support_agent"]);
    expectNoRawValue(mlflowRun.text);
  });

  it("the email has the same salted token in the agent's span and the LLM span; the card and the key are redacted", () => {
    const spans = mlflowRun.traces[0]?.spans ?? [];
    const attributes = (name: string): Record<string, unknown> =>
      mlflowSpanAttributes(spans.find((span) => span.name === name) ?? { trace_id: "", span_id: "", name: "", start_time_unix_nano: 0, end_time_unix_nano: 0 });
    const expected = `${EMAIL_TOKEN} [REDACTED:CARD] [REDACTED:API_KEY]`;
    const agent = JSON.stringify(attributes("support_agent"));
    const llm = JSON.stringify(attributes("OpenAI Chat Completions"));
    expect(agent).toContain(expected);
    expect(llm).toContain(expected);
    expect(llm).toContain("gpt-4o-mini");
  });

  it("llm.cost.total is the configured price of the call's tokens", () => {
    const spans = mlflowRun.traces[0]?.spans ?? [];
    const llmSpan = spans.find((span) => span.name === "OpenAI Chat Completions");
    expect(llmSpan).toBeDefined();
    const attributes = mlflowSpanAttributes(llmSpan as NonNullable<typeof llmSpan>);
    const expected = expectedCost(attributes);
    expect(expected).toBeGreaterThan(0);
    expect(Number(attributes["llm.cost.total"])).toBeCloseTo(expected, 12);
  });
});

/** The price of e2e/privacy/llmops.yaml (2 per million prompt tokens, 8 per million completion tokens) of a span's tokens. */
function expectedCost(attributes: Record<string, unknown>): number {
  return (Number(attributes["llm.token_count.prompt"]) * 2 + Number(attributes["llm.token_count.completion"]) * 8) / 1_000_000;
}
