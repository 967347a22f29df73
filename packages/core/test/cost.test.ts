import { diag, ROOT_CONTEXT, trace as otelTrace, TraceFlags } from "@opentelemetry/api";
import type { Attributes, Tracer } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { ConfigurationError, getCurrentSpan, getPlatform, registerPlatform, trace, withSession, withUser } from "@llmops/core";
import type { InstrumentationHandle } from "@llmops/core";
import { captureDiag, createTempApp } from "@llmops-internal/test-support";
import type { CapturedLogs } from "@llmops-internal/test-support";
import { resetProcessState } from "@llmops-internal/test-support/process-state";
import { computeCost, PriceList } from "../src/provider/pricing";
import { BUILTIN_PRICES, PRICE_TABLE_DATE } from "../src/provider/price-table";
import { CostSpanProcessor } from "../src/provider/cost-processor";
import { PolicyCounters } from "../src/provider/policy-counters";
import { memoryPlatform } from "./helpers";

const appRoot = createTempApp({ manifest: { name: "cost-app" } });
let exporter: InMemorySpanExporter;
let tracing: InstrumentationHandle;
let logs: CapturedLogs;

async function start(config: Record<string, unknown> = {}, env: Record<string, string> = {}, validationMode?: "strict"): Promise<InstrumentationHandle> {
  const memory = memoryPlatform();
  exporter = memory.exporter;
  registerPlatform(memory.platform);
  tracing = await getPlatform("memory").instrument({
    appRoot,
    env,
    flushOnExit: false,
    config: { service: { name: "costed" }, ...config },
    ...(validationMode === undefined ? {} : { validationMode }),
  });
  return tracing;
}

function only(name: string): ReadableSpan {
  const found = exporter.getFinishedSpans().filter((span) => span.name === name);
  expect(found).toHaveLength(1);
  return found[0] as ReadableSpan;
}

/** An LLM call as an instrumentor records it. */
const llmCall = (name: string, attributes: Attributes) =>
  trace(
    async () => {
      getCurrentSpan().setAttributes(attributes);
      return "answer";
    },
    { name, kind: "llm" },
  );

const usage = (model: string, prompt: number, completion: number, extra: Attributes = {}): Attributes => ({
  "llm.model_name": model,
  "llm.token_count.prompt": prompt,
  "llm.token_count.completion": completion,
  ...extra,
});

beforeEach(() => {
  resetProcessState();
  logs = captureDiag();
});
afterEach(async () => {
  await tracing?.shutdown();
  logs.restore();
});

describe("the price table and its matching rule", () => {
  const prices = new PriceList({ builtin: true, models: {} });

  it("is dated and covers OpenAI, Anthropic, Google and Bedrock", () => {
    expect(PRICE_TABLE_DATE).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const key of ["gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet", "gemini-1.5-pro", "anthropic.claude-3-5-sonnet", "amazon.nova-pro"]) expect(BUILTIN_PRICES[key]).toBeDefined();
  });

  it.each([
    ["gpt-4o", "gpt-4o"],
    ["gpt-4o-2024-08-06", "gpt-4o"],
    ["GPT-4o-2024-11-20", "gpt-4o"],
    ["gpt-4o-2024-05-13", "gpt-4o-2024-05-13"],
    ["gpt-4o-mini-2024-07-18", "gpt-4o-mini"],
    ["gpt-4-0613", "gpt-4"],
    ["gpt-4-turbo-2024-04-09", "gpt-4-turbo"],
    ["claude-3-5-sonnet-20240620", "claude-3-5-sonnet"],
    ["claude-3-5-sonnet-latest", "claude-3-5-sonnet"],
    ["claude-sonnet-4-20250514", "claude-sonnet-4"],
    ["anthropic.claude-3-5-sonnet-20240620-v1:0", "anthropic.claude-3-5-sonnet"],
    ["us.anthropic.claude-3-7-sonnet-20250219-v1:0", "anthropic.claude-3-7-sonnet"],
    ["amazon.nova-pro-v1:0", "amazon.nova-pro"],
    ["gemini-1.5-pro-002", "gemini-1.5-pro"],
    ["models/gemini-2.0-flash-001", "gemini-2.0-flash"],
    ["gemini-2.5-flash-preview-05-20", "gemini-2.5-flash"],
  ])("prices %s as %s", (model, key) => {
    expect(prices.find(model)?.key).toBe(key);
  });

  it.each(["gpt-4o-audio-preview", "gpt-4o-realtime", "my-own-model", "claude-3-5-sonnetx", "o1x", ""])("never guesses a price for %s", (model) => {
    expect(prices.find(model)).toBeUndefined();
  });

  it("does not take a family for a sibling model: without a gpt-4o-mini entry, gpt-4o-mini has no price", () => {
    const onlyFamily = new PriceList({ builtin: false, models: { "gpt-4o": { input: 2.5, output: 10 } } });
    expect(onlyFamily.find("gpt-4o-mini")).toBeUndefined();
    expect(onlyFamily.find("gpt-4o-mini-2024-07-18")).toBeUndefined();
    expect(onlyFamily.find("gpt-4o-2024-08-06")?.key).toBe("gpt-4o");
  });

  it("lets the config override a built-in entry and add patterns; the most specific pattern wins", () => {
    const configured = new PriceList({
      builtin: true,
      models: {
        "gpt-4o": { input: 1, output: 2 },
        "ft:*": { input: 9, output: 9 },
        "ft:gpt-4o-mini:*": { input: 0.3, output: 1.2 },
      },
    });
    expect(configured.find("gpt-4o-2024-08-06")?.price).toEqual({ input: 1, output: 2 });
    expect(configured.find("ft:gpt-4o-mini:acme::abc123")?.key).toBe("ft:gpt-4o-mini:*");
    expect(configured.find("ft:gpt-3.5-turbo:acme::x")?.key).toBe("ft:*");
    // Exact and snapshot names come before patterns.
    expect(configured.find("gpt-4o-mini")?.key).toBe("gpt-4o-mini");
    expect(new PriceList({ builtin: false, models: {} }).find("gpt-4o")).toBeUndefined();
  });
});

describe("computeCost", () => {
  it("prices uncached prompt tokens, cache reads and completion tokens per million", () => {
    const cost = computeCost({ input: 2.5, output: 10, cached_input: 1.25 }, { prompt: 1000, completion: 100, cacheRead: 400 });
    expect(cost?.prompt).toBeCloseTo(0.002, 12);
    expect(cost?.cacheRead).toBeCloseTo(0.0005, 12);
    expect(cost?.completion).toBeCloseTo(0.001, 12);
    expect(cost?.total).toBeCloseTo(0.003, 12);
    expect(cost?.currency).toBe("USD");
  });

  it("prices cache writes at cache_write, and cache tokens at the input price when the model has no cache price", () => {
    const anthropic = computeCost({ input: 3, output: 15, cached_input: 0.3, cache_write: 3.75 }, { prompt: 3000, completion: 0, cacheRead: 1000, cacheWrite: 1000 });
    expect(anthropic?.prompt).toBeCloseTo((1000 * 3 + 1000 * 0.3 + 1000 * 3.75) / 1e6, 12);
    expect(anthropic?.cacheWrite).toBeCloseTo(0.00375, 12);
    const noCachePrice = computeCost({ input: 2, output: 4 }, { prompt: 1000, cacheRead: 500 });
    expect(noCachePrice?.prompt).toBeCloseTo(0.002, 12);
    expect(computeCost({ input: 2, output: 4 }, {})).toBeUndefined();
  });
});

describe("cost on spans (instrument())", () => {
  it("puts llm.cost.* on an LLM span, cache-aware, from the built-in table", async () => {
    await start();
    await llmCall("chat", usage("gpt-4o-2024-08-06", 1000, 100, { "llm.token_count.prompt_details.cache_read": 400 }))();
    await tracing.forceFlush();
    const attributes = only("chat").attributes;
    expect(attributes["llm.cost.prompt"]).toBeCloseTo(0.002, 12);
    expect(attributes["llm.cost.completion"]).toBeCloseTo(0.001, 12);
    expect(attributes["llm.cost.total"]).toBeCloseTo(0.003, 12);
    expect(attributes["llm.cost.prompt_details.cache_read"]).toBeCloseTo(0.0005, 12);
    expect(attributes["llmops.cost.currency"]).toBeUndefined();
  });

  it("adds the children's cost up on the agent, the chain and the root (trace() nesting)", async () => {
    await start();
    const planner = llmCall("plan", usage("gpt-4o-mini", 2000, 500)); // 0.0003 + 0.0003 = 0.0006
    const writer = llmCall("write", usage("claude-3-5-sonnet-20241022", 1000, 200)); // 0.003 + 0.003 = 0.006
    const lookup = trace(async () => "docs", { name: "lookup", kind: "tool" });
    const agent = trace(
      async () => {
        await planner();
        await lookup();
        await writer();
      },
      { name: "agent", kind: "agent" },
    );
    const root = trace(
      async () => {
        await agent();
        await planner();
      },
      { name: "request", kind: "chain" },
    );
    await withSession("s-1", () => withUser("u-1", () => root()));
    await tracing.forceFlush();
    expect(only("agent").attributes["llm.cost.total"]).toBeCloseTo(0.0066, 12);
    expect(only("agent").attributes["llm.cost.prompt"]).toBeCloseTo(0.0033, 12);
    expect(only("agent").attributes["llm.cost.completion"]).toBeCloseTo(0.0033, 12);
    expect(only("request").attributes["llm.cost.total"]).toBeCloseTo(0.0072, 12);
    expect(only("request").attributes["session.id"]).toBe("s-1");
    // A span with no costed descendant gets nothing.
    expect(only("lookup").attributes["llm.cost.total"]).toBeUndefined();
  });

  it("gives a model with no price no cost, counts it by name in stats(), and adds nothing up for it", async () => {
    await start();
    const agent = trace(
      async () => {
        await llmCall("mystery", usage("mystery-model-7b", 100, 10))();
        await llmCall("mystery-again", usage("mystery-model-7b", 100, 10))();
      },
      { name: "agent", kind: "agent" },
    );
    await agent();
    await tracing.forceFlush();
    expect(Object.keys(only("mystery").attributes).filter((key) => key.startsWith("llm.cost"))).toEqual([]);
    expect(only("agent").attributes["llm.cost.total"]).toBeUndefined();
    expect(tracing.stats().unpricedModels).toEqual({ "mystery-model-7b": 2 });
  });

  it("uses pricing.models over the built-in table, and keeps a cost the span already has", async () => {
    await start({ pricing: { models: { "gpt-4o": { input: 1, output: 1, currency: "EUR" } } } });
    await llmCall("chat", usage("gpt-4o-2024-08-06", 1_000_000, 1_000_000))();
    await llmCall("given", usage("gpt-4o", 10, 10, { "llm.cost.total": 42 }))();
    await tracing.forceFlush();
    expect(only("chat").attributes["llm.cost.total"]).toBe(2);
    expect(only("chat").attributes["llmops.cost.currency"]).toBe("EUR");
    expect(only("given").attributes["llm.cost.total"]).toBe(42);
  });

  it.each([
    ["pricing.enabled: false", { pricing: { enabled: false } }, {}],
    ["LLMOPS_PRICING_ENABLED=false", {}, { LLMOPS_PRICING_ENABLED: "false" }],
    ["LLMOPS_PRICING_ENABLED=off over pricing.enabled: true", { pricing: { enabled: true } }, { LLMOPS_PRICING_ENABLED: "off" }],
  ])("computes no cost with %s", async (_name, config, env) => {
    await start(config, env);
    await llmCall("chat", usage("gpt-4o", 1000, 100))();
    await tracing.forceFlush();
    expect(only("chat").attributes["llm.cost.total"]).toBeUndefined();
  });

  it("rejects a malformed pricing: section in strict mode, naming every path", async () => {
    const error = await start({ pricing: { enabled: "sometimes", models: { "gpt-4o": { input: -1, output: 10, cached: 1 }, ok: { input: 1, output: 1, currency: "usd" } } } }, {}, "strict").catch(
      (caught: unknown) => caught,
    );
    expect(ConfigurationError.isInstance(error)).toBe(true);
    const paths = (error as ConfigurationError).issues.map((issue) => issue.path);
    expect(paths).toEqual(expect.arrayContaining(["pricing.enabled", "pricing.models.gpt-4o.input", "pricing.models.ok.currency"]));
    expect(paths.some((path) => path.startsWith("pricing.models.gpt-4o") && path !== "pricing.models.gpt-4o.input")).toBe(true);
  });
});

describe("CostSpanProcessor roll-up edge cases", () => {
  function setup(maxRecords?: number) {
    const counters = new PolicyCounters();
    const processor = new CostSpanProcessor(new PriceList({ builtin: true, models: {} }), { counters, logger: diag, ...(maxRecords === undefined ? {} : { maxRecords }) });
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [processor, new SimpleSpanProcessor(memory)] });
    const tracer: Tracer = provider.getTracer("cost-test");
    const child = (name: string, parent: ReturnType<Tracer["startSpan"]>) => tracer.startSpan(name, {}, otelTrace.setSpan(ROOT_CONTEXT, parent));
    const byName = (name: string) => memory.getFinishedSpans().find((span) => span.name === name);
    return { processor, tracer, child, byName, counters };
  }
  const llm = { "openinference.span.kind": "LLM", ...usage("gpt-4o", 1000, 100) } as Attributes; // 0.0025 + 0.001

  it("adds a child that ends after its parent to the nearest ancestor still open", () => {
    const { tracer, child, byName } = setup();
    const root = tracer.startSpan("root");
    const agent = child("agent", root);
    const step = child("step", agent);
    const early = child("early-llm", step);
    early.setAttributes(llm);
    early.end();
    step.end(); // step carries early-llm's cost
    const late = child("late-llm", step);
    late.setAttributes(llm);
    agent.end(); // agent ends with step's sum only
    late.end(); // step and agent have ended: its cost goes to the root
    root.end();
    expect(byName("step")?.attributes["llm.cost.total"]).toBeCloseTo(0.0035, 12);
    expect(byName("agent")?.attributes["llm.cost.total"]).toBeCloseTo(0.0035, 12);
    expect(byName("root")?.attributes["llm.cost.total"]).toBeCloseTo(0.007, 12);
  });

  it("treats a span with a remote parent as the local root and forgets its trace when it ends", () => {
    const { processor, tracer, byName } = setup();
    const remote = otelTrace.setSpanContext(ROOT_CONTEXT, { traceId: "a".repeat(32), spanId: "b".repeat(16), traceFlags: TraceFlags.SAMPLED, isRemote: true });
    const server = tracer.startSpan("server", {}, remote);
    const call = tracer.startSpan("llm", { attributes: llm }, otelTrace.setSpan(ROOT_CONTEXT, server));
    call.end();
    expect(processor.held().traces).toBe(1);
    server.end();
    expect(byName("server")?.attributes["llm.cost.total"]).toBeCloseTo(0.0035, 12);
    expect(processor.held()).toEqual({ traces: 0, records: 0 });
  });

  it("holds a bounded amount for traces whose root never ends", () => {
    const { processor, tracer, child } = setup(500);
    for (let index = 0; index < 5_000; index++) {
      const root = tracer.startSpan(`never-ends-${index}`);
      const agent = child("agent", root);
      const call = child("llm", agent);
      call.setAttributes(llm);
      call.end();
      agent.end();
    }
    expect(processor.held().records).toBeLessThanOrEqual(500);
    expect(processor.held().traces).toBeLessThanOrEqual(250);
    expect(processor.held().traces).toBeGreaterThan(0);
  });

  it("never throws into the app, whatever the span holds", () => {
    const { processor } = setup();
    expect(() => processor.onEnding({ attributes: null } as never)).not.toThrow();
  });
});
