import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, redactUrl } from "@llmops/core";
import { checkPlatform } from "@llmops/core/testing";
import { platform } from "@llmops/platform-arize";
import { explainExportError } from "../src/export/create-exporter";
import { withTracesPath } from "@llmops/core/otlp";
import { ARIZE_AX_HTTP_ENDPOINT, resolveTarget, sendsKeyInClear } from "../src/export/target";
import type { ArizeSection } from "../src/config/section";
import { SEED_CONFIG_FILE } from "@llmops-internal/test-support";

function app(files: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), "llmops-arize-"));
  writeFileSync(join(root, "package.json"), JSON.stringify({ name: "arize-app" }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text);
  return root;
}

const section = (overrides: Partial<ArizeSection> = {}): ArizeSection => ({
  transport: "http",
  batch_spans: true,
  debug: false,
  headers: {},
  compression: "none",
  timeout_ms: 10_000,
  ...overrides,
});

describe("@llmops/platform-arize", () => {
  it("keeps the platform contract, as an app installs the package too", async () => {
    const report = await checkPlatform(platform, {
      sampleSection: { endpoint: "http://127.0.0.1:1/v1/traces", api_key: "phoenix-conformance-key-77" },
      brokenSection: { endpoint: "localhost:6006", transport: "carrier-pigeon" },
      sectionFor: (endpoint) => ({ endpoint, api_key: "phoenix-conformance-key-77", project_name: "conformance" }),
      packageDirectory: join(__dirname, ".."),
    });
    expect(report.problems).toEqual([]);
  }, 120_000);

  it("loads the seed 000 §7.1 file unchanged, every arize key honoured", async () => {
    const appRoot = app();
    copyFileSync(SEED_CONFIG_FILE, join(appRoot, "llmops.yaml"));
    const env = { ARIZE_API_KEY: "ak-1", ARIZE_SPACE_ID: "space-1" };
    // certificate_file names a file: checked as instrument() checks it, whatever the endpoint's scheme.
    const withoutCertificate = await loadConfig(platform, { appRoot, env });
    expect(withoutCertificate.issues).toEqual([
      expect.objectContaining({ path: "arize.certificate_file", message: expect.stringContaining(`cannot read ${join(appRoot, "certs", "ca.pem")}: it does not exist`) }),
    ]);
    mkdirSync(join(appRoot, "certs"));
    writeFileSync(join(appRoot, "certs", "ca.pem"), "-----BEGIN CERTIFICATE-----\n");
    const loaded = await loadConfig(platform, { appRoot, env });
    expect(loaded.issues).toEqual([]);
    expect(loaded.config?.section).toEqual({
      endpoint: "http://localhost:6006/v1/traces",
      project_name: "my-project",
      api_key: "ak-1",
      space_id: "space-1",
      transport: "http",
      batch_spans: true,
      debug: false,
      certificate_file: "./certs/ca.pem",
      headers: {},
      compression: "none",
      timeout_ms: 10_000,
    });
  });

  it("requires endpoint for Phoenix and api_key for Arize AX, with the key path", async () => {
    const phoenix = await loadConfig(platform, { appRoot: app(), env: {}, config: { service: { name: "s" }, arize: { project_name: "p" } } });
    expect(phoenix.issues).toEqual([expect.objectContaining({ path: "arize.endpoint", message: "is required for Phoenix (or set space_id for Arize AX)" })]);
    const ax = await loadConfig(platform, { appRoot: app(), env: {}, config: { service: { name: "s" }, arize: { space_id: "sp" } } });
    expect(ax.issues).toEqual([expect.objectContaining({ path: "arize.api_key", message: "is required for Arize AX (space_id is set)" })]);
    const bad = await loadConfig(platform, { appRoot: app(), env: {}, config: { service: { name: "s" }, arize: { endpoint: "localhost:6006 please", transport: "udp", timeout_ms: 0 } } });
    expect(bad.issues.map((issue) => issue.path)).toEqual(["arize.endpoint", "arize.transport", "arize.timeout_ms"]);
  });

  it("takes Arize's variables over Phoenix's over the file over OpenTelemetry's generic ones", async () => {
    const config = { service: { name: "s" }, arize: { endpoint: "http://file:1" } };
    const all = {
      ARIZE_COLLECTOR_ENDPOINT: "http://arize:1",
      PHOENIX_COLLECTOR_ENDPOINT: "http://phoenix:1",
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://otel:1",
      ARIZE_API_KEY: "arize-key",
      PHOENIX_API_KEY: "phoenix-key",
      ARIZE_PROJECT_NAME: "arize-project",
      PHOENIX_PROJECT_NAME: "phoenix-project",
      PHOENIX_CLIENT_HEADERS: "x-team=ml,x-env=dev",
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: "x-other-vendor=other",
    };
    const first = await loadConfig(platform, { appRoot: app(), env: all, config });
    expect(first.config?.section).toEqual(expect.objectContaining({ endpoint: "http://arize:1", api_key: "arize-key", project_name: "arize-project", headers: { "x-team": "ml", "x-env": "dev" } }));
    const phoenixOnly = await loadConfig(platform, {
      appRoot: app(),
      env: { PHOENIX_COLLECTOR_ENDPOINT: "http://phoenix:1", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://otel:1", PHOENIX_API_KEY: "pk" },
      config,
    });
    expect(phoenixOnly.config?.section).toEqual(expect.objectContaining({ endpoint: "http://phoenix:1", api_key: "pk" }));
    const otelAndFile = await loadConfig(platform, { appRoot: app(), env: { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://otel:1" }, config });
    expect(otelAndFile.config?.section.endpoint).toBe("http://file:1");
    expect(otelAndFile.warnings).toEqual([expect.stringContaining("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (arize.endpoint is set by the configuration)")]);
    const otelOnly = await loadConfig(platform, { appRoot: app(), env: { OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel:1" }, config: { service: { name: "s" }, arize: {} } });
    expect(otelOnly.config?.section.endpoint).toBe("http://otel:1");
    expect(otelOnly.warnings).toEqual([expect.stringMatching(/^arize\.endpoint comes from OTEL_EXPORTER_OTLP_ENDPOINT, /)]);
    expect(otelOnly.warnings.join("\n")).not.toContain("otel:1");
  });

  it("never lets a generic endpoint redirect Arize AX: space_id names AX's collector", async () => {
    const env = { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://otel:1", OTEL_EXPORTER_OTLP_HEADERS: "x-other-vendor=other" };
    const loaded = await loadConfig(platform, { appRoot: app(), env, config: { service: { name: "s" }, arize: { space_id: "space", api_key: "ax-key" } } });
    expect(loaded.config?.section.endpoint).toBeUndefined();
    expect(loaded.config?.section.headers).toEqual({});
    const target = resolveTarget(loaded.config?.section as ArizeSection, { name: "s" });
    expect(target.url).toBe(ARIZE_AX_HTTP_ENDPOINT);
    expect(target.headers).toEqual({ "arize-space-id": "space", "arize-api-key": "ax-key", "arize-interface": "otel" });
    expect(loaded.warnings).toEqual([
      expect.stringContaining("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (arize.space_id is set by the configuration), OTEL_EXPORTER_OTLP_HEADERS (arize.space_id is set by the configuration)"),
    ]);
    expect(loaded.warnings.join("\n")).not.toMatch(/otel:1|x-other-vendor=other/);
  });

  describe("targets", () => {
    const service = { name: "svc" };

    it("Phoenix: bearer token, project attribute, /v1/traces appended, user headers last", () => {
      const target = resolveTarget(section({ endpoint: "http://localhost:6006", api_key: "pk", project_name: "proj", headers: { "x-extra": "1" } }), service);
      expect(target).toEqual({
        kind: "phoenix",
        url: "http://localhost:6006/v1/traces",
        headers: { authorization: "Bearer pk", "x-extra": "1" },
        resourceAttributes: { "openinference.project.name": "proj" },
        description: 'Phoenix at http://localhost:6006/v1/traces (project "proj", http)',
      });
      expect(resolveTarget(section({ endpoint: "https://app.example.com/s/team/" }), service).url).toBe("https://app.example.com/s/team/v1/traces");
      expect(resolveTarget(section({ endpoint: "http://h:1/v1/traces" }), service).resourceAttributes).toEqual({});
    });

    it("Arize AX: space and key headers, no bearer, project routed by name and model_id, defaults to Arize's collector", () => {
      const target = resolveTarget(section({ space_id: "sp", api_key: "ak" }), service);
      expect(target.kind).toBe("ax");
      expect(target.url).toBe("https://otlp.arize.com/v1/traces");
      expect(target.headers).toEqual({ "arize-space-id": "sp", "arize-api-key": "ak", "arize-interface": "otel" });
      expect(target.resourceAttributes).toEqual({ "openinference.project.name": "svc", model_id: "svc" });
      expect(resolveTarget(section({ space_id: "sp", api_key: "ak", transport: "grpc", project_name: "p" }), service)).toEqual(
        expect.objectContaining({ url: "https://otlp.arize.com", resourceAttributes: { "openinference.project.name": "p", model_id: "p" } }),
      );
      expect(JSON.stringify(target.description)).not.toContain("ak");
    });

    it("knows when a key would travel in clear text", () => {
      expect(sendsKeyInClear(section({ api_key: "k" }), "http://collector.example.com/v1/traces")).toBe(true);
      expect(sendsKeyInClear(section({ api_key: "k" }), "https://collector.example.com/v1/traces")).toBe(false);
      expect(sendsKeyInClear(section({ api_key: "k" }), "http://127.0.0.1:6006/v1/traces")).toBe(false);
      expect(sendsKeyInClear(section({ api_key: "k" }), "http://localhost:6006/v1/traces")).toBe(false);
      expect(sendsKeyInClear(section({ api_key: "k" }), "http://[::1]:6006/v1/traces")).toBe(false);
      expect(sendsKeyInClear(section(), "http://collector.example.com/v1/traces")).toBe(false);
    });

    it("keeps user info and queries out of messages", () => {
      expect(redactUrl("https://user:secret@host:1/v1/traces?token=abc")).toBe("https://host:1/v1/traces");
      expect(withTracesPath("http://h:1/base")).toBe("http://h:1/base/v1/traces");
    });
  });

  it("explains export errors by the setting to check, without secrets", () => {
    const tls = Object.assign(new Error("self-signed certificate in certificate chain"), { code: "SELF_SIGNED_CERT_IN_CHAIN" });
    expect(explainExportError(tls, section({ certificate_file: "ca.pem" }))).toContain("arize.certificate_file");
    expect(explainExportError(new Error("connect ECONNREFUSED 127.0.0.1:6006"), section())).toContain("arize.endpoint");
    expect(explainExportError(new Error("Unauthorized"), section({ space_id: "s" }))).toContain("arize.space_id");
    expect(explainExportError(new Error("something else"), section())).toBeUndefined();
  });
});
