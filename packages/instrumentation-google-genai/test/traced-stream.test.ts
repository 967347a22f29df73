// The stream wrapper alone, with async generators that misbehave as a client's never should: the app's iteration must
// not see the instrumentation fail.
import { SpanStatusCode } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { TracedStream } from "../src/traced-stream";
import type { GenAIResponse } from "../src/genai-types";

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer("test");
beforeEach(() => exporter.reset());

async function* chunks(items: unknown[]): AsyncGenerator<GenAIResponse, unknown, unknown> {
  for (const item of items) yield item as GenAIResponse;
  return undefined;
}

describe("TracedStream", () => {
  it("passes chunks it cannot read through to the app, and still ends the span with what it could read", async () => {
    const odd = { candidates: [{ content: { parts: 42 } }] };
    const stream = new TracedStream(
      chunks([{ candidates: [{ content: { role: "model", parts: [{ text: "Hi" }] } }] }, odd, null, { usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 1 } }]),
      tracer.startSpan("s"),
    );
    const seen: unknown[] = [];
    for await (const chunk of stream) seen.push(chunk);
    expect(seen).toHaveLength(4);
    expect(seen[1]).toBe(odd);
    const [span] = exporter.getFinishedSpans();
    expect(span?.attributes["output.value"]).toBe("Hi");
    expect(span?.attributes["llm.token_count.prompt"]).toBe(3);
    expect(span?.status.code).toBe(SpanStatusCode.OK);
  });

  it("ends the span once, when the app returns early and again when it returns twice", async () => {
    const stream = new TracedStream(chunks([{ candidates: [{ content: { parts: [{ text: "a" }] } }] }, { candidates: [{ content: { parts: [{ text: "b" }] } }] }]), tracer.startSpan("s"));
    await stream.next();
    await stream.return(undefined);
    await stream.return(undefined);
    expect(exporter.getFinishedSpans()).toHaveLength(1);
    expect(exporter.getFinishedSpans()[0]?.attributes["output.value"]).toBe("a");
  });
});
