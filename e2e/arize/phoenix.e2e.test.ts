import { listPhoenixSpans, readPhoenixSpans, startPhoenix } from "../harness/phoenix";
import type { PhoenixServer, PhoenixSpan } from "../harness/phoenix";
import { runAgentApp, runProvidersApp } from "../harness/run-app";
import type { AgentAppResult, ProvidersAppResult } from "../harness/run-app";

/**
 * @llmops/platform-arize against a real Arize Phoenix (arize-phoenix from PyPI, `phoenix serve`): the real openai,
 * @anthropic-ai/sdk and LangChain clients, talking to local stand-ins of the providers, produce spans that are read
 * back through Phoenix's REST API.
 */
let phoenix: PhoenixServer;

/** One run of the providers app and the spans it left in its own Phoenix project. */
interface Run {
  app: ProvidersAppResult & { stderr: string };
  spans: PhoenixSpan[];
  project: string;
}

/** Runs the app (in code with its modules handed in, or zero-code under `--import register`) and reads its spans back. */
async function run(zeroCode: boolean): Promise<Run> {
  const project = `llmops-e2e-${zeroCode ? "zero-code" : "in-code"}-${process.pid}`;
  const app = await runProvidersApp("arize", { service: { name: "e2e-arize" }, arize: { endpoint: phoenix.url, project_name: project } }, {}, { zeroCode });
  return { app, spans: await settledSpans(project), project };
}

/** The spans of `project` once Phoenix, which stores spans in batches, has stopped adding to them. */
async function settledSpans(project: string): Promise<PhoenixSpan[]> {
  let spans = await readPhoenixSpans(phoenix.url, project, { minCount: 1, timeoutMs: 30_000 });
  for (let settled = 0, last = spans.length; settled < 3;) {
    await new Promise((resolve) => setTimeout(resolve, 700));
    spans = await readPhoenixSpans(phoenix.url, project, { minCount: last });
    settled = spans.length === last ? settled + 1 : 0;
    last = spans.length;
  }
  return spans;
}

/** The agent app's run: trace() agent → tool and OpenAI call, inside withSession/withUser, in a project of its own. */
const agentIds = { session: `s-e2e-${process.pid}`, user: `u-e2e-${process.pid}` };
let agentRun: { app: AgentAppResult & { stderr: string }; spans: PhoenixSpan[] };
async function runAgent(): Promise<typeof agentRun> {
  const project = `llmops-e2e-agent-${process.pid}`;
  const app = await runAgentApp("arize", { service: { name: "e2e-arize-agent" }, arize: { endpoint: phoenix.url, project_name: project } }, agentIds);
  return { app, spans: await settledSpans(project) };
}

const runs = new Map<boolean, Run>();

beforeAll(async () => {
  phoenix = await startPhoenix();
  const [inCode, zeroCode, agent] = await Promise.all([run(false), run(true), runAgent()]);
  agentRun = agent;
  runs.set(false, inCode);
  runs.set(true, zeroCode);
}, 600_000);

afterAll(async () => {
  await phoenix?.stop();
});

describe.each([
  ["in code, modules handed in to instrument()", false],
  ["zero code: node --import @llmops/platform-arize/register, nothing handed in", true],
])("platform-arize → real Phoenix (%s)", (_mode, zeroCode) => {
  let app: Run["app"];
  let spans: PhoenixSpan[];
  beforeAll(() => {
    ({ app, spans } = runs.get(zeroCode) as Run);
  });
  const named = (name: string): PhoenixSpan[] => spans.filter((span) => span.name === name);
  const byId = (id: string | null): PhoenixSpan | undefined => spans.find((span) => span.context.span_id === id);

  it("the app ran every call with tracing active and a clean shutdown", () => {
    expect(app).toEqual(expect.objectContaining({ active: true, issues: [], shutdown: expect.objectContaining({ ok: true, timedOut: false }) }));
    expect(app.done).toEqual(["chat", "stream", "embeddings", "tool-call:get_weather", "anthropic", "langchain"]);
    // In code the modules were imported first and handed in; under --import they load after the pipeline is ready,
    // and the reports (read after the calls) say what was seen patched as they loaded.
    expect(app.instrumentations).toEqual(
      expect.arrayContaining([
        { key: "openai", status: "instrumented", patchedModule: true },
        { key: "anthropic", status: "instrumented", patchedModule: true },
        { key: "langchain", status: "instrumented", patchedModule: true },
      ]),
    );
    expect(app.stderr).not.toMatch(/warn|error/i);
  });

  it("lands in the project named by project_name, and nowhere else", async () => {
    // 4 OpenAI chat + 1 embeddings + 1 Anthropic + 4 LangChain chain spans + 1 LangChain tool: one span each, no more.
    expect(spans).toHaveLength(11);
    expect((await listPhoenixSpans(phoenix.url, "default")) ?? []).toEqual([]);
  });

  it("has one LLM span per chat request, with model, input, output and token counts", () => {
    const chats = named("OpenAI Chat Completions");
    // Three direct calls plus the one LangChain's ChatOpenAI makes through the same patched client. That one is a
    // trace of its own: OpenInference's LangChain tracer does not make its spans current (docs/platforms/arize.md).
    expect(chats).toHaveLength(app.requests.chat);
    expect(app.requests.chat).toBe(4);
    for (const span of chats) {
      expect(span.span_kind).toBe("LLM");
      expect(span.attributes["llm.model_name"]).toBe("gpt-4o-mini");
      expect(span.attributes["input.value"]).toEqual(expect.stringContaining("messages"));
      expect(typeof span.attributes["output.value"]).toBe("string");
    }
    const plain = chats.find((span) => String(span.attributes["input.value"]).includes("What is OpenTelemetry?"));
    expect(plain?.attributes["llm.token_count.prompt"]).toBeGreaterThan(0);
    expect(plain?.attributes["llm.token_count.completion"]).toBeGreaterThan(0);
    const toolCall = chats.find((span) => String(span.attributes["input.value"]).includes("get_weather"));
    expect(JSON.stringify(toolCall?.attributes)).toContain("get_weather");
  });

  it("has an EMBEDDING span for the embeddings call", () => {
    const embeddings = spans.filter((span) => span.span_kind === "EMBEDDING");
    expect(embeddings).toHaveLength(app.requests.embeddings);
    expect(embeddings[0]?.attributes["embedding.model_name"] ?? embeddings[0]?.attributes["llm.model_name"]).toBe("text-embedding-3-small");
  });

  it("has one LLM span per Anthropic call, with tokens (the SDK's own tracing is turned off, not doubled)", () => {
    const anthropic = spans.filter((span) => span.span_kind === "LLM" && String(span.attributes["llm.model_name"]).startsWith("claude"));
    expect(anthropic).toHaveLength(app.requests.anthropic);
    expect(anthropic[0]?.attributes["llm.token_count.prompt"]).toBeGreaterThan(0);
    expect(typeof anthropic[0]?.attributes["output.value"]).toBe("string");
  });

  it("keeps LangChain's tree: CHAIN root, its LLM child in the same trace, and a TOOL span", () => {
    const chainRoots = spans.filter((span) => span.span_kind === "CHAIN" && span.parent_id === null);
    expect(chainRoots.length).toBeGreaterThanOrEqual(1);
    const chatModel = spans.find((span) => span.name === "ChatOpenAI");
    expect(chatModel?.span_kind).toBe("LLM");
    // Walk up from the LangChain LLM span: every parent exists and the root is a CHAIN of the same trace.
    let current = chatModel;
    while (current?.parent_id) {
      const parent = byId(current.parent_id);
      expect(parent?.context.trace_id).toBe(chatModel?.context.trace_id);
      current = parent;
    }
    expect(current?.span_kind).toBe("CHAIN");
    expect(
      spans
        .filter((span) => span.context.trace_id === chatModel?.context.trace_id)
        .map((span) => `${span.span_kind} ${span.name}`)
        .sort(),
    ).toEqual(["CHAIN RunnableSequence", "CHAIN StrOutputParser", "LLM ChatOpenAI", "PROMPT ChatPromptTemplate"]);
    expect(chatModel?.attributes["llm.model_name"]).toBe("gpt-4o-mini");
    const tools = spans.filter((span) => span.span_kind === "TOOL");
    expect(tools.map((span) => span.name)).toEqual(["get_weather"]);
    expect(tools[0]?.attributes["output.value"]).toEqual(expect.stringContaining("Sunny in Paris"));
  });

  it("duplicates nothing: every span id appears once", () => {
    const ids = spans.map((span) => span.context.span_id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("platform-arize → real Phoenix: your own code traced with trace(), inside withSession/withUser", () => {
  const kindAndName = (span: PhoenixSpan | undefined): string => `${span?.span_kind} ${span?.name}`;

  it("the agent app ran with tracing active, its agent span recording, and a clean shutdown", () => {
    expect(agentRun.app).toEqual(expect.objectContaining({ active: true, issues: [], agentSpanRecording: true, chatRequests: 1, shutdown: expect.objectContaining({ ok: true, timedOut: false }) }));
    expect(agentRun.app.answer).toEqual(expect.any(String));
    expect(agentRun.app.stderr).not.toMatch(/warn|error/i);
  });

  it("is ONE trace: the AGENT span is the root, the TOOL and the LLM span are its children", () => {
    const { spans } = agentRun;
    expect(spans.map(kindAndName).sort()).toEqual(["AGENT weather_agent", "LLM OpenAI Chat Completions", "TOOL get_weather"]);
    expect(new Set(spans.map((span) => span.context.trace_id)).size).toBe(1);
    const agent = spans.find((span) => span.span_kind === "AGENT")!;
    expect(agent.parent_id).toBeNull();
    const children = spans.filter((span) => span.parent_id === agent.context.span_id);
    expect(children.map(kindAndName).sort()).toEqual(["LLM OpenAI Chat Completions", "TOOL get_weather"]);
    // The tool ran (and ended) before the LLM call started: they are siblings, not nested.
    const tool = children.find((span) => span.span_kind === "TOOL")!;
    const llm = children.find((span) => span.span_kind === "LLM")!;
    expect(Date.parse(tool.end_time)).toBeLessThanOrEqual(Date.parse(llm.start_time));
  });

  it("records the inputs and outputs of the traced functions and the model of the LLM call", () => {
    const byKind = (kind: string): PhoenixSpan => agentRun.spans.find((span) => span.span_kind === kind)!;
    expect(byKind("AGENT").attributes["input.value"]).toBe("Paris");
    expect(byKind("AGENT").attributes["output.value"]).toBe(agentRun.app.answer);
    expect(byKind("TOOL").attributes["input.value"]).toBe("Paris");
    expect(byKind("TOOL").attributes["output.value"]).toBe("Sunny in Paris");
    expect(byKind("LLM").attributes["llm.model_name"]).toBe("gpt-4o-mini");
    expect(byKind("LLM").attributes["input.value"]).toEqual(expect.stringContaining("Sunny in Paris"));
  });

  it("every span, the instrumented LLM span included, carries session.id and user.id", () => {
    expect(agentRun.spans).toHaveLength(3);
    for (const span of agentRun.spans) {
      expect({ span: kindAndName(span), session: span.attributes["session.id"], user: span.attributes["user.id"] }).toEqual({
        span: kindAndName(span),
        session: agentIds.session,
        user: agentIds.user,
      });
    }
  });
});
