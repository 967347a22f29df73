import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { instrument } from "@llmops/platform-local";
import { temporaryDirectory } from "./helpers";

const EMAIL = "maria.garcia@example.org";
const CARD = "5555 5555 5555 4444";

describe("the local platform with privacy detectors", () => {
  it("writes masked values to its JSONL files and its trace tree", async () => {
    const appRoot = temporaryDirectory();
    writeFileSync(join(appRoot, "package.json"), JSON.stringify({ name: "local-privacy-app", version: "1.0.0" }));
    writeFileSync(
      join(appRoot, "llmops.yaml"),
      [
        "service:\n  name: local-privacy-app",
        "local:\n  directory: out/traces\n  print_tree: true\n  batch_spans: false",
        "instrumentation:\n  openai: false\n  anthropic: false\n  langchain: false",
        "privacy:\n  detectors:\n    email: mask\n    payment_card: redact",
        "",
      ].join("\n"),
    );
    const printed: string[] = [];
    const write = jest.spyOn(process.stdout, "write").mockImplementation((text) => {
      printed.push(String(text));
      return true;
    });
    try {
      const tracing = await instrument({ appRoot, env: {}, global: false, flushOnExit: false, validationMode: "strict" });
      const span = tracing.tracerProvider.getTracer("app").startSpan("checkout");
      span.setAttributes({ "openinference.span.kind": "CHAIN", "input.value": `bill ${EMAIL} on ${CARD}`, "output.value": `sent to ${EMAIL}` });
      span.end();
      await tracing.shutdown();
    } finally {
      write.mockRestore();
    }
    const directory = join(appRoot, "out", "traces");
    const text = readdirSync(directory)
      .map((file) => readFileSync(join(directory, file), "utf8"))
      .join("");
    expect(text).not.toContain(EMAIL);
    expect(text).not.toContain(CARD);
    const [line] = text.trim().split("\n");
    expect(JSON.parse(line as string).attributes).toEqual(expect.objectContaining({ "input.value": "bill m******@e***.org on [REDACTED:CARD]", "output.value": "sent to m******@e***.org" }));
    expect(printed.join("")).not.toContain(EMAIL);
  });
});
