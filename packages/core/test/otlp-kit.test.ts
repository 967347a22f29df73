import * as v from "valibot";
import { getPlatform, instrumentFor, loadConfig } from "@llmops/core";
import { defineOtlpPlatform, explainTransportError, OTLP_TIMEOUT_ENVIRONMENT, otlpSectionEntries } from "@llmops/core/otlp";
import { checkPlatform } from "@llmops/core/testing";
import { ExportScope, runInExportScope } from "../src/internal/export-scope";
import { createTempApp } from "@llmops-internal/test-support";
import { resetProcessState } from "@llmops-internal/test-support/process-state";

const platform = defineOtlpPlatform({
  name: "kitdemo",
  configSection: "kitdemo",
  packageName: "kitdemo-llmops-platform-kitdemo",
  endpointKey: "endpoint",
  server: "the demo collector",
  schema: v.object({ endpoint: v.pipe(v.string(), v.url()), ...otlpSectionEntries }),
  environment: [{ variable: "KITDEMO_ENDPOINT", key: "endpoint" }, ...OTLP_TIMEOUT_ENVIRONMENT],
  instrumentors: [],
  target: ({ section }) => ({ url: `${section.endpoint}/v1/traces`, headers: { "x-demo": "1", ...section.headers }, description: "the demo collector" }),
});

afterEach(() => resetProcessState());

describe("@llmops/core/otlp", () => {
  it("builds a platform that keeps the contract", async () => {
    const report = await checkPlatform(platform, { sampleSection: { endpoint: "http://127.0.0.1:1" } });
    expect(report.problems).toEqual([]);
  });

  it("gives the shared keys their defaults and checks certificate_file like instrument() does", async () => {
    const appRoot = createTempApp();
    const loaded = await loadConfig(platform, { appRoot, env: {}, config: { service: { name: "s" }, kitdemo: { endpoint: "http://127.0.0.1:1" } } });
    expect(loaded.config?.section).toEqual({ endpoint: "http://127.0.0.1:1", headers: {}, timeout_ms: 10_000, compression: "none", batch_spans: true, debug: false });
    const missing = await loadConfig(platform, { appRoot, env: {}, config: { service: { name: "s" }, kitdemo: { endpoint: "http://127.0.0.1:1", certificate_file: "ca.pem" } } });
    expect(missing.issues).toEqual([expect.objectContaining({ path: "kitdemo.certificate_file", message: expect.stringContaining("the demo collector's certificate") })]);
    const timeout = await loadConfig(platform, { appRoot, env: { OTEL_EXPORTER_OTLP_TIMEOUT: "2500" }, config: { service: { name: "s" }, kitdemo: { endpoint: "http://127.0.0.1:1" } } });
    expect(timeout.config?.section.timeout_ms).toBe(2500);
  });

  // The export itself is proved in child processes (jest's sandbox cannot run the exporter's dynamic imports): the
  // arize and mlflow transport tests, and the writing-a-platform.md example in the doc-snippets test.
  it("instrumentFor registers the platform and starts it", async () => {
    const instrument = instrumentFor(platform);
    const tracing = await instrument({
      appRoot: createTempApp(),
      config: { service: { name: "s" }, kitdemo: { endpoint: "http://127.0.0.1:1" } },
      validationMode: "strict",
      global: false,
      flushOnExit: false,
    });
    expect(tracing.active).toBe(true);
    expect(tracing.platform).toBe("kitdemo");
    expect(getPlatform("kitdemo").name).toBe("kitdemo");
    await tracing.shutdown({ timeoutMillis: 100 });
  });

  it("explains transport errors by the section's own keys", () => {
    const names = { configSection: "kitdemo", endpointKey: "endpoint", server: "the demo collector" };
    expect(explainTransportError(new Error("connect ECONNREFUSED 127.0.0.1:4318"), { ...names, url: "http://h/v1/traces" })).toBe(
      "Nothing answered at kitdemo.endpoint: is the demo collector running, and is kitdemo.endpoint right?",
    );
    expect(explainTransportError(new Error("self-signed certificate"), { ...names, url: "https://h/v1/traces" })).toContain("set kitdemo.certificate_file");
    expect(explainTransportError(new Error("self-signed certificate"), { ...names, url: "https://h/v1/traces", certificateFile: "ca.pem" })).toContain("not trusted by kitdemo.certificate_file");
    expect(explainTransportError(new Error("wrong version number"), { ...names, url: "https://h/v1/traces" })).toContain("kitdemo.endpoint is https://");
    expect(explainTransportError(new Error("socket hang up"), { ...names, url: "http://h/v1/traces" })).toContain("kitdemo.endpoint must start with https://");
    expect(explainTransportError(new Error("something else"), { ...names, url: "http://h/v1/traces" })).toBeUndefined();
  });

  it("shares the export scope store process-wide, so the kit's agent (a bundle of its own) sees the pipeline's exports", () => {
    const store = (globalThis as Record<symbol, { getStore(): unknown } | undefined>)[Symbol.for("llmops.core.exportScopes.v1")];
    const scope = new ExportScope();
    expect(runInExportScope(scope, () => store?.getStore())).toBe(scope);
  });
});
