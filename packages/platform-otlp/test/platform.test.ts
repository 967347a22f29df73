import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { getPlatform, loadConfig, registerPlatform } from "@llmops/core";
import type { SectionOf } from "@llmops/core";
import { checkPlatform } from "@llmops/core/testing";
import { platform } from "@llmops/platform-otlp";
import type { OtlpPlatformSection } from "@llmops/platform-otlp";
import { startHttpReceiver } from "@llmops-internal/test-support";
import { exportUrl } from "../src/export/target";

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function app(files: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), "llmops-otlp-"));
  roots.push(root);
  writeFileSync(join(root, "package.json"), JSON.stringify({ name: "otlp-app" }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text);
  return root;
}

const section = (overrides: Partial<OtlpPlatformSection> = {}): OtlpPlatformSection => ({
  protocol: "http/protobuf",
  semantic_conventions: "openinference",
  headers: {},
  timeout_ms: 2_000,
  batch_spans: true,
  debug: false,
  compression: "none",
  ...overrides,
});

async function load(otlp: Record<string, unknown> | undefined, env: Record<string, string> = {}, appRoot = app()) {
  return loadConfig(platform, { config: { service: { name: "svc" }, ...(otlp === undefined ? {} : { otlp }) }, env, appRoot, validationMode: "strict" });
}

describe("where spans go", () => {
  it("appends /v1/traces to endpoint for HTTP, uses traces_endpoint as given, and reduces gRPC to scheme, host and port", () => {
    expect(exportUrl(section({ endpoint: "http://127.0.0.1:4318" }))).toBe("http://127.0.0.1:4318/v1/traces");
    expect(exportUrl(section({ endpoint: "https://otlp.example.com/api/public/otel/" }))).toBe("https://otlp.example.com/api/public/otel/v1/traces");
    expect(exportUrl(section({ endpoint: "http://a:1", traces_endpoint: "http://b:2/custom" }))).toBe("http://b:2/custom");
    expect(exportUrl(section({ protocol: "grpc", endpoint: "https://collector:4317/ignored" }))).toBe("https://collector:4317");
  });

  it("defaults to OpenTelemetry's local receiver addresses", () => {
    expect(exportUrl(section())).toBe("http://localhost:4318/v1/traces");
    expect(exportUrl(section({ protocol: "grpc" }))).toBe("http://localhost:4317");
  });
});

describe("the otlp: section", () => {
  it("accepts an empty section with OpenTelemetry's defaults", async () => {
    const loaded = await load(undefined);
    expect(loaded.issues).toEqual([]);
    expect(loaded.config?.section).toMatchObject({ protocol: "http/protobuf", semantic_conventions: "openinference", compression: "none" });
  });

  it("reports every bad key at once, with its path", async () => {
    const loaded = await load({ endpoint: "localhost:4318", protocol: "thrift", semantic_conventions: "otel" });
    const paths = loaded.issues.map((issue) => issue.path).sort();
    expect(paths).toEqual(["otlp.endpoint", "otlp.protocol", "otlp.semantic_conventions"]);
    expect(loaded.issues.find((issue) => issue.path === "otlp.protocol")?.message).toContain("http/protobuf, http/json, grpc");
  });

  it("asks for both halves of a mutual-TLS identity", async () => {
    const loaded = await load({ endpoint: "https://127.0.0.1:4318", client_key_file: "key.pem" });
    expect(loaded.issues).toEqual([expect.objectContaining({ path: "otlp.client_key_file", message: expect.stringContaining("client_certificate_file") })]);
  });

  it("names a client certificate file it cannot read, with what it should be", async () => {
    const loaded = await load({ endpoint: "https://127.0.0.1:4318", client_certificate_file: "missing-cert.pem", client_key_file: "missing-key.pem" });
    expect(loaded.issues.map((issue) => issue.path).sort()).toEqual(["otlp.client_certificate_file", "otlp.client_key_file"]);
    expect(loaded.issues.map((issue) => issue.message).join("\n")).toContain("this client's certificate");
  });

  it("asks for the gRPC exporter, with the install line, when protocol is grpc and the app lacks it", async () => {
    const loaded = await load({ protocol: "grpc" });
    expect(loaded.issues.map((issue) => issue.message).join("\n")).toMatch(/otlp\.protocol is "grpc", which needs @opentelemetry\/exporter-trace-otlp-grpc/);
  });
});

describe("environment precedence", () => {
  it("LLMOPS_OTLP_* override the file; OTEL_EXPORTER_OTLP_* only fill what nothing set", async () => {
    const env = { LLMOPS_OTLP_PROTOCOL: "http/json", OTEL_EXPORTER_OTLP_ENDPOINT: "http://generic:4318", OTEL_EXPORTER_OTLP_COMPRESSION: "gzip", OTEL_EXPORTER_OTLP_HEADERS: "x-generic=1" };
    const fromFile = await load({ endpoint: "http://file:4318", protocol: "grpc" }, env);
    expect(fromFile.issues).toEqual([]);
    // The file names its endpoint: the generic endpoint and the generic headers (meant for it) are not used.
    expect(fromFile.config?.section).toMatchObject({ endpoint: "http://file:4318", protocol: "http/json", compression: "gzip", headers: {} });

    const generic = await load(undefined, env);
    expect(generic.config?.section).toMatchObject({ endpoint: "http://generic:4318", protocol: "http/json", compression: "gzip", headers: { "x-generic": "1" } });
  });

  it("the per-signal OTEL_EXPORTER_OTLP_TRACES_ENDPOINT wins over the general one and is used as it is", async () => {
    const loaded = await load(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://general:4318", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://traces:4318/custom/path" });
    expect(exportUrl(loaded.config?.section as OtlpPlatformSection)).toBe("http://traces:4318/custom/path");
  });
});

describe("the platform", () => {
  it("passes core's conformance kit, the package checks included", async () => {
    const receiver = await startHttpReceiver();
    try {
      const secret = "otlp-conformance-secret-8431";
      const report = await checkPlatform(platform, {
        sampleSection: { endpoint: receiver.url, headers: { authorization: `Bearer ${secret}` } },
        brokenSection: { endpoint: "localhost:4318", protocol: "thrift" },
        sectionFor: (endpoint) => ({ endpoint, headers: { authorization: `Bearer ${secret}` } }),
        packageDirectory: join(__dirname, ".."),
        secrets: [secret],
      });
      expect(report.problems).toEqual([]);
    } finally {
      await receiver.close();
    }
  }, 120_000);

  it('types getPlatform("otlp") through the PlatformRegistry augmentation', async () => {
    registerPlatform(platform);
    const loaded = await getPlatform("otlp").load();
    type Section = SectionOf<typeof loaded>;
    const sample: Section = section();
    // @ts-expect-error protocol is one of the three OTLP protocols
    const wrong: Section = { ...sample, protocol: "thrift" };
    expect(wrong).toBeDefined();
    expect(loaded).toBe(platform);
  });
});
