import { applyEnvironmentOverrides, parseHeaders } from "../src/config/environment";

describe("applyEnvironmentOverrides", () => {
  it("lets LLMOPS_SERVICE_NAME win over OTEL_SERVICE_NAME, both over the file", () => {
    const { config, sources } = applyEnvironmentOverrides({ service: { name: "file", version: "1" } }, { OTEL_SERVICE_NAME: "otel", LLMOPS_SERVICE_NAME: "llmops" }, "x", []);
    expect(config.service).toEqual({ name: "llmops", version: "1" });
    expect(sources.get("service.name")).toBe("LLMOPS_SERVICE_NAME");
    const otelOnly = applyEnvironmentOverrides({ service: { name: "file" } }, { OTEL_SERVICE_NAME: "otel" }, "x", []);
    expect(otelOnly.config.service).toEqual({ name: "otel" });
  });

  it("applies the platform's overrides in declaration order, typed by kind, without touching the input", () => {
    const input = { acme: { endpoint: "file" } };
    const { config } = applyEnvironmentOverrides(
      input,
      { B_ENDPOINT: "b", A_ENDPOINT: "a", ACME_BATCH: "false", ACME_TIMEOUT: "250", ACME_HEADERS: "x-a=1,x-b=hello%20world" },
      "acme",
      [
        { variable: "A_ENDPOINT", key: "endpoint" },
        { variable: "B_ENDPOINT", key: "endpoint" },
        { variable: "ACME_BATCH", key: "batch", kind: "boolean" },
        { variable: "ACME_TIMEOUT", key: "timeout_ms", kind: "number" },
        { variable: "ACME_HEADERS", key: "headers", kind: "headers" },
      ],
    );
    expect(config.acme).toEqual({ endpoint: "a", batch: false, timeout_ms: 250, headers: { "x-a": "1", "x-b": "hello world" } });
    expect(input).toEqual({ acme: { endpoint: "file" } });
  });

  it("sets LLMOPS_VALIDATION_MODE and ignores empty variables", () => {
    const { config } = applyEnvironmentOverrides({}, { LLMOPS_VALIDATION_MODE: "strict", LLMOPS_SERVICE_NAME: "" }, "x", []);
    expect(config).toEqual({ validation: { mode: "strict" } });
  });

  it("reads the OTLP headers format", () => {
    expect(parseHeaders("a=1, b = 2 ,broken,=x,c=%ZZ")).toEqual({ a: "1", b: "2", c: "%ZZ" });
  });
});
