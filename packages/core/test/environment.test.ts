import { applyEnvironmentOverrides, EXPLICIT_SOURCE, genericVariableWarnings, parseHeaders } from "../src/config/environment";
import type { EnvironmentOverride } from "../src/contract/config";
import { constructWithoutOtlpEnvironment } from "../src/otlp/otlp-environment";

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
    const { config } = applyEnvironmentOverrides(input, { B_ENDPOINT: "b", A_ENDPOINT: "a", ACME_BATCH: "false", ACME_TIMEOUT: "250", ACME_HEADERS: "x-a=1,x-b=hello%20world" }, "acme", [
      { variable: "A_ENDPOINT", key: "endpoint" },
      { variable: "B_ENDPOINT", key: "endpoint" },
      { variable: "ACME_BATCH", key: "batch", kind: "boolean" },
      { variable: "ACME_TIMEOUT", key: "timeout_ms", kind: "number" },
      { variable: "ACME_HEADERS", key: "headers", kind: "headers" },
    ]);
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

describe("where spans go: explicit option › platform variable › configuration › generic OpenTelemetry variable", () => {
  const ACME: EnvironmentOverride[] = [
    { variable: "ACME_ENDPOINT", key: "endpoint" },
    { variable: "ACME_API_KEY", key: "api_key" },
    { variable: "ACME_HEADERS", key: "headers", kind: "headers" },
    { variable: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", key: "endpoint", generic: { unlessSet: ["space_id"] } },
    { variable: "OTEL_EXPORTER_OTLP_ENDPOINT", key: "endpoint", generic: { unlessSet: ["space_id"] } },
    { variable: "OTEL_EXPORTER_OTLP_HEADERS", key: "headers", kind: "headers", generic: { unlessSet: ["endpoint", "space_id"] } },
    { variable: "OTEL_EXPORTER_OTLP_TIMEOUT", key: "timeout_ms", kind: "number", generic: {} },
  ];
  const GENERIC_VALUE = "http://generic-collector.cluster.invalid:4318";
  const HEADER_VALUE = "x-other-vendor=vendor-secret-value";

  it("an explicit option beats the platform variable", () => {
    const { config, sources } = applyEnvironmentOverrides({ acme: { endpoint: "http://file" } }, { ACME_ENDPOINT: "http://platform-variable" }, "acme", ACME, {
      acme: { endpoint: "http://explicit" },
    });
    expect(config.acme).toEqual({ endpoint: "http://explicit" });
    expect(sources.get("acme.endpoint")).toBe(EXPLICIT_SOURCE);
  });

  it("the platform variable beats the configuration", () => {
    const { config, sources } = applyEnvironmentOverrides({ acme: { endpoint: "http://file" } }, { ACME_ENDPOINT: "http://platform-variable" }, "acme", ACME);
    expect(config.acme).toEqual({ endpoint: "http://platform-variable" });
    expect(sources.get("acme.endpoint")).toBe("ACME_ENDPOINT");
  });

  it("the configuration beats the generic variables, which are reported as not used, by name", () => {
    const env = { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: GENERIC_VALUE, OTEL_EXPORTER_OTLP_HEADERS: HEADER_VALUE, OTEL_EXPORTER_OTLP_TIMEOUT: "30000" };
    const { config, sources, generic } = applyEnvironmentOverrides({ acme: { endpoint: "http://file", timeout_ms: 500 } }, env, "acme", ACME);
    expect(config.acme).toEqual({ endpoint: "http://file", timeout_ms: 500 });
    expect(sources.size).toBe(0);
    expect(generic).toEqual([
      { variable: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", path: "acme.endpoint", used: false, reason: "acme.endpoint is set by the configuration", differs: true },
      { variable: "OTEL_EXPORTER_OTLP_HEADERS", path: "acme.headers", used: false, reason: "acme.endpoint is set by the configuration", differs: true },
      { variable: "OTEL_EXPORTER_OTLP_TIMEOUT", path: "acme.timeout_ms", used: false, reason: "acme.timeout_ms is set by the configuration", differs: true },
    ]);
    const warnings = genericVariableWarnings("acme", generic, ACME);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (acme.endpoint is set by the configuration)");
    expect(warnings[0]).toContain("OTEL_EXPORTER_OTLP_HEADERS (acme.endpoint is set by the configuration)");
    expect(warnings[0]).not.toContain("OTEL_EXPORTER_OTLP_TIMEOUT"); // a time limit sends nothing anywhere
    expect(warnings.join("\n")).not.toContain("generic-collector");
    expect(warnings.join("\n")).not.toContain("vendor-secret-value");
  });

  it("a generic variable fills what nothing else set, its headers with it, and is warned about by name", () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: GENERIC_VALUE, OTEL_EXPORTER_OTLP_HEADERS: HEADER_VALUE, OTEL_EXPORTER_OTLP_TIMEOUT: "30000" };
    const { config, sources, generic } = applyEnvironmentOverrides({ acme: { project: "p" } }, env, "acme", ACME);
    expect(config.acme).toEqual({ project: "p", endpoint: GENERIC_VALUE, headers: { "x-other-vendor": "vendor-secret-value" }, timeout_ms: 30000 });
    expect(sources.get("acme.endpoint")).toBe("OTEL_EXPORTER_OTLP_ENDPOINT");
    expect(generic.map((outcome) => [outcome.variable, outcome.used])).toEqual([
      ["OTEL_EXPORTER_OTLP_ENDPOINT", true],
      ["OTEL_EXPORTER_OTLP_HEADERS", true],
      ["OTEL_EXPORTER_OTLP_TIMEOUT", true],
    ]);
    const warnings = genericVariableWarnings("acme", generic, ACME);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^acme\.endpoint and acme\.headers come from OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_EXPORTER_OTLP_HEADERS, generic OpenTelemetry variables/);
    expect(warnings[0]).toContain("Set acme.endpoint (or ACME_ENDPOINT) to choose the destination yourself.");
    expect(warnings.join("\n")).not.toContain("generic-collector");
    expect(warnings.join("\n")).not.toContain("vendor-secret-value");
  });

  it("the signal-specific generic variable wins over the general one, as in OpenTelemetry, without a warning about the latter", () => {
    const env = { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://traces-specific", OTEL_EXPORTER_OTLP_ENDPOINT: GENERIC_VALUE };
    const { config, generic } = applyEnvironmentOverrides({}, env, "acme", ACME);
    expect(config.acme).toEqual({ endpoint: "http://traces-specific" });
    expect(generic).toEqual([{ variable: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", path: "acme.endpoint", used: true }]);
  });

  it("a key in unlessSet keeps the generic variables out: a platform variable naming the destination", () => {
    const env = { ACME_ENDPOINT: "http://platform-variable", OTEL_EXPORTER_OTLP_HEADERS: HEADER_VALUE };
    const { config, generic } = applyEnvironmentOverrides({}, env, "acme", ACME);
    expect(config.acme).toEqual({ endpoint: "http://platform-variable" });
    expect(generic).toEqual([{ variable: "OTEL_EXPORTER_OTLP_HEADERS", path: "acme.headers", used: false, reason: "acme.endpoint is set by ACME_ENDPOINT", differs: true }]);
  });

  it("a key in unlessSet keeps the generic variables out: space_id in the configuration", () => {
    const { config, generic } = applyEnvironmentOverrides({ acme: { space_id: "s" } }, { OTEL_EXPORTER_OTLP_ENDPOINT: GENERIC_VALUE }, "acme", ACME);
    expect(config.acme).toEqual({ space_id: "s" });
    expect(generic).toEqual([{ variable: "OTEL_EXPORTER_OTLP_ENDPOINT", path: "acme.endpoint", used: false, reason: "acme.space_id is set by the configuration", differs: true }]);
  });

  it("a generic endpoint equal to the configured one is no news; OTLP variables the platform does not read are reported", () => {
    const env = { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://file:6006/v1/traces", OTEL_EXPORTER_OTLP_CLIENT_KEY: "/keys/other-vendor.key" };
    const { generic } = applyEnvironmentOverrides({ acme: { endpoint: "http://file:6006/" } }, env, "acme", ACME);
    expect(generic).toEqual([
      { variable: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", path: "acme.endpoint", used: false, reason: "acme.endpoint is set by the configuration", differs: false },
      { variable: "OTEL_EXPORTER_OTLP_CLIENT_KEY", path: undefined, used: false, reason: "the acme platform does not read it", differs: true },
    ]);
    const warnings = genericVariableWarnings("acme", generic, ACME);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^OTEL_EXPORTER_OTLP_CLIENT_KEY \(the acme platform does not read it\): set in the environment and not used by llmops /);
    expect(warnings[0]).not.toContain("other-vendor.key");
  });

  it("a platform that declares no generic variable (no OTLP export) gets no report", () => {
    expect(applyEnvironmentOverrides({}, { OTEL_EXPORTER_OTLP_ENDPOINT: GENERIC_VALUE }, "local", []).generic).toEqual([]);
  });
});

describe("constructWithoutOtlpEnvironment", () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  });

  it("hides every OTEL_EXPORTER_OTLP_* variable from the constructor and puts them back, also when it throws", () => {
    process.env.OTEL_EXPORTER_OTLP_HEADERS = "x-other-vendor=secret";
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = "http://generic:4318/v1/traces";
    process.env.OTEL_SERVICE_NAME = "kept";
    const seen = constructWithoutOtlpEnvironment(() => Object.keys(process.env).filter((name) => name.startsWith("OTEL_")));
    expect(seen).toEqual(["OTEL_SERVICE_NAME"]);
    expect(process.env.OTEL_EXPORTER_OTLP_HEADERS).toBe("x-other-vendor=secret");
    expect(() =>
      constructWithoutOtlpEnvironment(() => {
        throw new Error("constructor failed");
      }),
    ).toThrow("constructor failed");
    expect(process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT).toBe("http://generic:4318/v1/traces");
  });
});
