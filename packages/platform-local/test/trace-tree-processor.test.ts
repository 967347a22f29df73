import { context, trace } from "@opentelemetry/api";
import { TraceTreeProcessor } from "../src/tree/trace-tree-processor";
import { captureDiag } from "@llmops-internal/test-support";
import { recordingProvider } from "./helpers";

function setup(options: { maxBufferedSpans?: number } = {}) {
  const printed: string[] = [];
  const processor = new TraceTreeProcessor({ write: (text) => printed.push(text), ...options });
  const { provider } = recordingProvider([processor]);
  return { printed, processor, provider, tracer: provider.getTracer("tree-test") };
}

describe("TraceTreeProcessor", () => {
  it("prints finished traces on forceFlush, each span once, and holds back unfinished ones", async () => {
    const { printed, provider, tracer } = setup();
    const done = tracer.startSpan("done root");
    tracer.startSpan("done child", {}, trace.setSpan(context.active(), done)).end();
    done.end();
    const open = tracer.startSpan("open root");
    tracer.startSpan("open child", {}, trace.setSpan(context.active(), open)).end();

    await provider.forceFlush();
    expect(printed).toHaveLength(1);
    expect(printed[0]).toMatch(/└─ done root · INTERNAL · [\d.]+ ms\n {3}└─ done child/);
    expect(printed[0]).not.toMatch(/open/);

    await provider.forceFlush();
    expect(printed).toHaveLength(1); // nothing new finished

    open.end();
    await provider.forceFlush();
    expect(printed).toHaveLength(2);
    expect(printed[1]).toMatch(/└─ open root[^\n]*\n {3}└─ open child/);
    expect(printed[1]).not.toMatch(/done/);
  });

  it("prints what is left at shutdown, unfinished traces too, and nothing after", async () => {
    const { printed, provider, tracer } = setup();
    const root = tracer.startSpan("never ended");
    tracer.startSpan("ended child", {}, trace.setSpan(context.active(), root)).end();
    await provider.shutdown();
    expect(printed).toHaveLength(1);
    expect(printed[0]).toMatch(/└─ ended child/);
    root.end();
    await provider.shutdown();
    expect(printed).toHaveLength(1);
  });

  it("treats a span with a remote parent as the root of its trace here", async () => {
    const { printed, provider, tracer } = setup();
    const remote = trace.wrapSpanContext({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", traceFlags: 1, isRemote: true });
    tracer.startSpan("handler", {}, trace.setSpan(context.active(), remote)).end();
    await provider.forceFlush();
    expect(printed.join("")).toMatch(/^trace 4bf92f3577b34da6a3ce929d0e0e4736 · [^\n]*\n└─ handler/);
  });

  it("never throws when writing fails, and bounds what it holds", async () => {
    const logs = captureDiag();
    try {
      const processor = new TraceTreeProcessor({
        write: () => {
          throw new Error("stdout closed");
        },
        maxBufferedSpans: 2,
      });
      const { provider } = recordingProvider([processor]);
      const tracer = provider.getTracer("x");
      const root = tracer.startSpan("root");
      for (let index = 0; index < 5; index++) tracer.startSpan(`child ${index}`, {}, trace.setSpan(context.active(), root)).end();
      await expect(provider.forceFlush()).resolves.toBeUndefined();
      await expect(provider.shutdown()).resolves.toBeUndefined();
      expect(logs.messages.join("\n")).toMatch(/more than 2 spans waiting/);
      expect(logs.messages.join("\n")).toMatch(/could not print the trace tree: stdout closed/);
    } finally {
      logs.restore();
    }
  });

  it("writes to process.stdout by default", async () => {
    const write = jest.spyOn(process.stdout, "write").mockImplementation(() => true);
    try {
      const { provider } = recordingProvider([new TraceTreeProcessor()]);
      provider.getTracer("x").startSpan("to stdout").end();
      await provider.forceFlush();
      expect(write).toHaveBeenCalledWith(expect.stringMatching(/└─ to stdout/));
    } finally {
      write.mockRestore();
    }
  });
});
