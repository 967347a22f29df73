import { createHmac } from "node:crypto";
import { SpanStatusCode, trace as otelTrace } from "@opentelemetry/api";
import type { ReadableSpan, Span, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { ConfigurationError, getPlatform, registerPlatform, trace, withSession } from "@llmops/core";
import type { SharedConfigSections } from "@llmops/core";
import { captureDiag, createTempApp } from "@llmops-internal/test-support";
import { resetProcessState } from "@llmops-internal/test-support/process-state";
import { PrivacySpanProcessor } from "../src/privacy/privacy-processor";
import { memoryPlatform } from "./helpers";

const EMAIL = "jane.doe@example.com";
const CARD = "4111 1111 1111 1111";
const KEY = "sk-proj-Qx7Lm2Nc9Rt4Vb8Wy3Zk6Hs1Jd5Fg0Ap";
const SALT = "unit-salt-7f3a9c2e41b8";

/** The token `hash` gives for an email under a salt: HMAC-SHA256 of the detector name and the lower-cased value. */
function emailToken(email: string, salt: string): string {
  return `[EMAIL:${createHmac("sha256", salt).update(`email\u0000${email.toLowerCase()}`).digest("hex").slice(0, 12)}]`;
}

describe("the privacy span processor", () => {
  const appRoot = createTempApp({ manifest: { name: "privacy-app" } });
  const base = { appRoot, env: {}, flushOnExit: false as const, global: false };
  const privacy: SharedConfigSections["privacy"] = { detectors: { email: "hash", all: "redact" }, salt: SALT };

  beforeEach(() => {
    resetProcessState();
    captureDiag();
  });

  it("masks every content attribute, event and status message before any processor's onEnd, and leaves ids, kinds, models and counts alone", async () => {
    const seen: Record<string, unknown>[] = [];
    const recorder: SpanProcessor = {
      onStart: () => {},
      onEnd: (span: ReadableSpan) => void seen.push({ ...span.attributes }),
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
    const { exporter } = memoryPlatform();
    const { platform } = memoryPlatform({ exporter });
    const withRecorder = {
      ...platform,
      createTracerProvider: (context: Parameters<typeof platform.createTracerProvider>[0]) => context.assembleTracerProvider({ exporters: [exporter], batch: false, spanProcessors: [recorder] }),
    };
    registerPlatform(withRecorder);
    const tracing = await getPlatform("memory").instrument({ ...base, config: { service: { name: "svc" }, privacy, pricing: { enabled: false } } });
    const span = tracing.tracerProvider.getTracer("third-party").startSpan("chat");
    span.setAttributes({
      "openinference.span.kind": "LLM",
      "input.value": `my mail is ${EMAIL}, card ${CARD}`,
      "output.value": `noted ${EMAIL}`,
      "llm.input_messages.0.message.role": "user",
      "llm.input_messages.0.message.content": `key ${KEY}`,
      "llm.input_messages.1.message.contents.0.message_content.text": `card ${CARD}`,
      "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": JSON.stringify({ email: EMAIL }),
      "llm.output_messages.0.message.tool_calls.0.tool_call.function.name": "send_mail",
      "retrieval.documents.0.document.content": `contact ${EMAIL}`,
      "embedding.embeddings.0.embedding.text": `card ${CARD}`,
      "gen_ai.prompt.0.content": `key ${KEY}`,
      "llm.model_name": "gpt-4o-mini",
      "llm.token_count.prompt": 12,
      "session.id": "sess-Qx7Lm2Nc9Rt4Vb8Wy3Zk6Hs1Jd5",
      "user.id": EMAIL,
      "http.url": "http://203.0.113.9/v1/chat",
      "tag.tags": [`about ${EMAIL}`],
    });
    span.recordException(new Error(`failed for ${EMAIL}`));
    span.addEvent("note", { "message.content": `call +44 20 7946 0958`, "event.id": KEY });
    span.setStatus({ code: SpanStatusCode.ERROR, message: `card ${CARD} declined` });
    span.end();
    await tracing.forceFlush();

    const token = emailToken(EMAIL, SALT);
    const [exported] = exporter.getFinishedSpans();
    expect(exported?.attributes).toEqual({
      "openinference.span.kind": "LLM",
      "input.value": `my mail is ${token}, card [REDACTED:CARD]`,
      "output.value": `noted ${token}`,
      "llm.input_messages.0.message.role": "user",
      "llm.input_messages.0.message.content": "key [REDACTED:API_KEY]",
      "llm.input_messages.1.message.contents.0.message_content.text": "card [REDACTED:CARD]",
      "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": JSON.stringify({ email: token }),
      "llm.output_messages.0.message.tool_calls.0.tool_call.function.name": "send_mail",
      "retrieval.documents.0.document.content": `contact ${token}`,
      "embedding.embeddings.0.embedding.text": "card [REDACTED:CARD]",
      "gen_ai.prompt.0.content": "key [REDACTED:API_KEY]",
      "llm.model_name": "gpt-4o-mini",
      "llm.token_count.prompt": 12,
      // Ids, URLs and tags are not content: never scanned (docs/privacy.md says what is not covered).
      "session.id": "sess-Qx7Lm2Nc9Rt4Vb8Wy3Zk6Hs1Jd5",
      "user.id": EMAIL,
      "http.url": "http://203.0.113.9/v1/chat",
      "tag.tags": [`about ${EMAIL}`],
    });
    expect(exported?.events.map((event) => event.attributes)).toEqual([
      expect.objectContaining({ "exception.type": "Error", "exception.message": `failed for ${token}`, "exception.stacktrace": expect.not.stringContaining(EMAIL) }),
      { "message.content": "call [REDACTED:PHONE]", "event.id": KEY },
    ]);
    expect(exported?.status).toEqual({ code: SpanStatusCode.ERROR, message: "card [REDACTED:CARD] declined" });
    // The platform's own processor saw the same, in its onEnd.
    expect(seen[0]?.["input.value"]).toBe(`my mail is ${token}, card [REDACTED:CARD]`);
    await tracing.shutdown();
  });

  it("applies to the spans of trace(), with the same token for the same email across spans", async () => {
    const { platform, exporter } = memoryPlatform();
    registerPlatform(platform);
    const tracing = await getPlatform("memory").instrument({ ...base, global: true, config: { service: { name: "svc" }, privacy, pricing: { enabled: false } } });
    const lookup = trace(async (question: string) => `the account of ${question.split(" ")[2]?.replace("?", "")} uses ${KEY}`, { name: "lookup", kind: "tool" });
    const answer = trace(async (question: string) => `${await lookup(question)}; reply to ${EMAIL.toUpperCase()}`, { name: "answer", kind: "agent" });
    await withSession("s-1", () => answer(`who is ${EMAIL}?`));
    await tracing.forceFlush();
    const spans = Object.fromEntries(exporter.getFinishedSpans().map((span) => [span.name, span.attributes]));
    const token = emailToken(EMAIL, SALT);
    expect(spans.lookup?.["input.value"]).toBe(`who is ${token}?`);
    expect(spans.lookup?.["output.value"]).toBe(`the account of ${token} uses [REDACTED:API_KEY]`);
    expect(spans.answer?.["output.value"]).toBe(`the account of ${token} uses [REDACTED:API_KEY]; reply to ${token}`);
    expect(spans.answer?.["session.id"]).toBe("s-1");
    expect(JSON.stringify(exporter.getFinishedSpans().map((span) => span.attributes))).not.toContain(EMAIL);
    await tracing.shutdown();
    otelTrace.disable();
  });

  it("scans the attributes named in privacy.extra_attributes, exactly or by prefix", async () => {
    const { platform, exporter } = memoryPlatform();
    registerPlatform(platform);
    const config = { service: { name: "svc" }, privacy: { detectors: { email: "redact" }, extra_attributes: ["myapp.prompt", "myapp.request.*"] } };
    const tracing = await getPlatform("memory").instrument({ ...base, config });
    const span = tracing.tracerProvider.getTracer("own-instrumentation").startSpan("s");
    span.setAttributes({ "myapp.prompt": EMAIL, "myapp.request.body": EMAIL, "myapp.promptx": EMAIL, "myapp.other": EMAIL });
    span.end();
    await tracing.forceFlush();
    expect(exporter.getFinishedSpans()[0]?.attributes).toEqual({
      "myapp.prompt": "[REDACTED:EMAIL]",
      "myapp.request.body": "[REDACTED:EMAIL]",
      "myapp.promptx": EMAIL,
      "myapp.other": EMAIL,
    });
    await tracing.shutdown();
  });

  it("is not installed when no detector is on", async () => {
    const onEnding = jest.spyOn(PrivacySpanProcessor.prototype, "onEnding");
    try {
      const { platform, exporter } = memoryPlatform();
      registerPlatform(platform);
      const tracing = await getPlatform("memory").instrument({ ...base, config: { service: { name: "svc" }, privacy: { hide_inputs: false, detectors: { all: "off" } } } });
      const span = tracing.tracerProvider.getTracer("t").startSpan("plain");
      span.setAttribute("input.value", EMAIL);
      span.end();
      await tracing.forceFlush();
      expect(exporter.getFinishedSpans()[0]?.attributes["input.value"]).toBe(EMAIL);
      expect(onEnding).not.toHaveBeenCalled();
      await tracing.shutdown();
    } finally {
      onEnding.mockRestore();
    }
  });

  it("takes its detectors and salt from LLMOPS_PRIVACY_DETECTORS and LLMOPS_PRIVACY_SALT over the file", async () => {
    const { platform, exporter } = memoryPlatform();
    registerPlatform(platform);
    const env = { LLMOPS_PRIVACY_DETECTORS: "email=hash, payment_card=mask", LLMOPS_PRIVACY_SALT: "env-salt-0123456789" };
    const tracing = await getPlatform("memory").instrument({ ...base, env, config: { service: { name: "svc" }, privacy: { detectors: { all: "redact" }, salt: SALT } } });
    const span = tracing.tracerProvider.getTracer("t").startSpan("s");
    span.setAttribute("input.value", `${EMAIL} ${CARD} ${KEY}`);
    span.end();
    await tracing.forceFlush();
    expect(exporter.getFinishedSpans()[0]?.attributes["input.value"]).toBe(`${emailToken(EMAIL, "env-salt-0123456789")} **** **** **** 1111 ${KEY}`);
    await tracing.shutdown();
  });

  it("LLMOPS_PRIVACY_DETECTORS=off turns the file's built-in detectors off", async () => {
    const { platform, exporter } = memoryPlatform();
    registerPlatform(platform);
    const env = { LLMOPS_PRIVACY_DETECTORS: "off" };
    const tracing = await getPlatform("memory").instrument({ ...base, env, config: { service: { name: "svc" }, privacy: { detectors: { all: "redact" } } } });
    const span = tracing.tracerProvider.getTracer("t").startSpan("s");
    span.setAttribute("input.value", `${EMAIL} ${CARD}`);
    span.end();
    await tracing.forceFlush();
    expect(exporter.getFinishedSpans()[0]?.attributes["input.value"]).toBe(`${EMAIL} ${CARD}`);
    await tracing.shutdown();
  });

  it("in strict mode lists every bad detector setting with its path, never the salt", async () => {
    const { platform } = memoryPlatform();
    registerPlatform(platform);
    const config = {
      service: { name: "svc" },
      privacy: {
        detectors: { emial: "hash", phone: "scramble" },
        custom_detectors: [
          { name: "order", pattern: "(ORD-[0-9]+)+" },
          { name: "broken", pattern: "[A-Z" },
          { name: "has space", pattern: "x" },
          { name: "fine", pattern: "EMP-\\d{6}", action: "mask" },
        ],
        salt: 918273645,
        max_scan_length: 10,
      },
    };
    const error = (await getPlatform("memory")
      .instrument({ ...base, validationMode: "strict", config })
      .catch((caught: unknown) => caught)) as ConfigurationError;
    expect(error).toBeInstanceOf(ConfigurationError);
    const issues = Object.fromEntries(error.issues.map((issue) => [issue.path, issue.message]));
    expect(issues).toEqual({
      "privacy.detectors.emial": expect.stringContaining('"emial" is not a detector (did you mean "email"?)'),
      "privacy.detectors.phone": "must be one of mask, hash, redact, off",
      "privacy.custom_detectors.0.pattern": expect.stringMatching(/^pattern repeats a group that holds a quantifier/),
      "privacy.custom_detectors.1.pattern": expect.stringMatching(/^pattern is not a valid regular expression/),
      "privacy.custom_detectors.2.name": expect.stringContaining("letters, digits and _"),
      "privacy.salt": "has the wrong type",
      "privacy.max_scan_length": "must be at least 256",
    });
    expect(error.issues.find((issue) => issue.path === "privacy.salt")?.received).toBe("[redacted]");
    expect(error.message).not.toContain("918273645");
  });

  it("warns when hash has no salt, and then hashes with one of the process", async () => {
    const logs = captureDiag();
    const { platform, exporter } = memoryPlatform();
    registerPlatform(platform);
    const tracing = await getPlatform("memory").instrument({ ...base, config: { service: { name: "svc" }, privacy: { detectors: { email: "hash" } } } });
    expect(logs.messages.filter((message) => message.includes("the hash action has no salt"))).toHaveLength(1);
    const span = tracing.tracerProvider.getTracer("t").startSpan("s");
    span.setAttribute("output.value", EMAIL);
    span.end();
    await tracing.forceFlush();
    expect(exporter.getFinishedSpans()[0]?.attributes["output.value"]).toMatch(/^\[EMAIL:[0-9a-f]{12}\]$/);
    await tracing.shutdown();
  });

  it("never throws into the app: a span it cannot scan loses its content attributes instead", () => {
    const failing = {
      scrub: () => {
        throw new Error("boom");
      },
      findings: () => [],
    };
    const processor = new PrivacySpanProcessor(failing, []);
    const attributes: Record<string, unknown> = { "input.value": EMAIL, "llm.model_name": "m" };
    const span = { attributes, events: [], status: { code: 0 }, setAttribute: () => span } as unknown as Span;
    expect(() => processor.onEnding(span)).not.toThrow();
    expect(attributes).toEqual({ "llm.model_name": "m" });
  });
});
