import { join } from "node:path";
import * as v from "valibot";
import { ConfigurationError, definePlatform, getPlatform, loadConfig, registerPlatform } from "@llmops/core";
import { checkCertificateFile, OTLP_TIMEOUT_ENVIRONMENT, otlpSectionEntries } from "@llmops/core/otlp";
import { resolveConfig } from "../src/config/resolve-config";
import { attributeIssue } from "../src/config/issue-source";
import { captureDiag, createTempApp } from "@llmops-internal/test-support";
import type { CapturedLogs } from "@llmops-internal/test-support";
import { resetProcessState } from "@llmops-internal/test-support/process-state";

/** A third-party OTLP platform as the docs show one: `endpoint` overridable by ACME_ENDPOINT, the shared OTLP keys. */
const acme = definePlatform({
  name: "acme",
  configSection: "acme",
  packageName: "acme-llmops-platform-acme",
  schema: v.object({
    endpoint: v.pipe(
      v.string(),
      v.check((value) => /^https?:\/\//.test(value), "must start with http:// or https://"),
    ),
    api_key: v.optional(v.pipe(v.string(), v.minLength(24, "must be at least 24 characters"))),
    ...otlpSectionEntries,
  }),
  environment: [{ variable: "ACME_ENDPOINT", key: "endpoint" }, { variable: "ACME_API_KEY", key: "api_key" }, { variable: "ACME_CA_FILE", key: "certificate_file" }, ...OTLP_TIMEOUT_ENVIRONMENT],
  checkConfig: ({ section, appRoot }) => {
    const issue = checkCertificateFile({ file: section.certificate_file, appRoot, key: "acme.certificate_file", server: "acme" });
    return issue === undefined ? [] : [issue];
  },
  instrumentors: [],
  createTracerProvider: () => Promise.reject(new Error("not reached: the configuration is invalid")),
});

const GOOD_FILE = "service:\n  name: svc\nacme:\n  endpoint: http://127.0.0.1:4318\n";
const SECRET = "sk-acme-short-secret";

function appWith(yaml: string): { appRoot: string; file: string } {
  const appRoot = createTempApp({ files: { "llmops.yaml": yaml } });
  return { appRoot, file: join(appRoot, "llmops.yaml") };
}

describe("config issues name the environment variable a value came from", () => {
  it("an override names its variable and not the file, which does not hold the value", async () => {
    const { appRoot } = appWith(GOOD_FILE);
    const env = { ACME_ENDPOINT: "ftp://x", OTEL_EXPORTER_OTLP_TIMEOUT: "abc" };
    const { issues } = await resolveConfig({ platform: acme, appRoot, env });
    expect(issues).toEqual([
      { path: "acme.endpoint", message: "must start with http:// or https://", received: "[redacted]", variable: "ACME_ENDPOINT" },
      { path: "acme.timeout_ms", message: "has the wrong type", expected: "number", received: "[redacted]", variable: "OTEL_EXPORTER_OTLP_TIMEOUT" },
    ]);
  });

  it("a shared variable (LLMOPS_*) is named as well", async () => {
    const { appRoot } = appWith(`${GOOD_FILE}validation:\n  mode: permissive\n`);
    const { issues } = await resolveConfig({ platform: acme, appRoot, env: { LLMOPS_VALIDATION_MODE: "loose", LLMOPS_SAMPLING_RATIO: "most" } });
    expect(issues.map(({ path, variable, file }) => ({ path, variable, file }))).toEqual([
      { path: "validation.mode", variable: "LLMOPS_VALIDATION_MODE", file: undefined },
      { path: "sampling.ratio", variable: "LLMOPS_SAMPLING_RATIO", file: undefined },
    ]);
  });

  it("a key the file holds keeps the file and names no variable, beside one a variable set", async () => {
    const { appRoot, file } = appWith(`${GOOD_FILE}  compression: zip\n`);
    const { issues } = await resolveConfig({ platform: acme, appRoot, env: { ACME_ENDPOINT: "ftp://x" } });
    expect(issues).toEqual([
      expect.objectContaining({ path: "acme.endpoint", variable: "ACME_ENDPOINT" }),
      { path: "acme.compression", message: "is not one of the allowed values", expected: '("none" | "gzip")', received: '"zip"', file },
    ]);
    expect(issues[0]).not.toHaveProperty("file");
  });

  it("a ${VAR} of the file names the variable it read and keeps the file that references it", async () => {
    const { appRoot, file } = appWith("service:\n  name: svc\nacme:\n  endpoint: ${ACME_URL}\n  api_key: ${SCHEME}-${ACME_KEY}\n");
    const { issues } = await resolveConfig({ platform: acme, appRoot, env: { ACME_URL: "ftp://x", SCHEME: "sk", ACME_KEY: "short" } });
    expect(issues).toEqual([
      expect.objectContaining({ path: "acme.endpoint", received: "[redacted]", file, variable: "ACME_URL" }),
      expect.objectContaining({ path: "acme.api_key", received: "[redacted]", file, variable: "SCHEME, ACME_KEY" }),
    ]);
  });

  it("names no variable for a default the file wrote, nor for values given in code, which also are not the file's", async () => {
    const { appRoot, file } = appWith("service:\n  name: svc\nacme:\n  endpoint: ${ACME_URL:-ftp://default}\n  timeout_ms: 0\n");
    const fromDefault = await resolveConfig({ platform: acme, appRoot, env: {} });
    expect(fromDefault.issues).toEqual([expect.objectContaining({ path: "acme.endpoint", file }), expect.objectContaining({ path: "acme.timeout_ms", file })]);
    expect(fromDefault.issues.some((issue) => issue.variable !== undefined)).toBe(false);
    const explicit = await resolveConfig({ platform: acme, appRoot, env: {}, overrides: { acme: { endpoint: "http://127.0.0.1:1", timeout_ms: "soon" } } });
    expect(explicit.issues).toEqual([{ path: "acme.timeout_ms", message: "has the wrong type", expected: "number", received: "[redacted]" }]);
  });

  it("a platform's own check of a key a variable set names the variable too", async () => {
    const { appRoot, file } = appWith(`${GOOD_FILE}  certificate_file: ./certs/ca.pem\n`);
    const fromFile = await resolveConfig({ platform: acme, appRoot, env: {} });
    expect(fromFile.issues).toEqual([expect.objectContaining({ path: "acme.certificate_file", file })]);
    expect(fromFile.issues[0]).not.toHaveProperty("variable");
    const fromVariable = await resolveConfig({ platform: acme, appRoot, env: { ACME_CA_FILE: "/missing/ca.pem" } });
    expect(fromVariable.issues).toEqual([{ path: "acme.certificate_file", message: expect.stringContaining("cannot read /missing/ca.pem: it does not exist"), variable: "ACME_CA_FILE" }]);
  });

  it("attributes an issue inside a key to the variable that set the whole key", () => {
    const issue = { path: "acme.headers.x-team", message: "has the wrong type", file: "/app/llmops.yaml" };
    const sources = { overrides: new Map([["acme.headers", "OTEL_EXPORTER_OTLP_HEADERS"]]), substituted: new Map<string, readonly string[]>() };
    expect(attributeIssue(issue, sources)).toEqual({ path: "acme.headers.x-team", message: "has the wrong type", variable: "OTEL_EXPORTER_OTLP_HEADERS" });
    expect(attributeIssue({ ...issue, path: "acme.headers_extra" }, sources)).toEqual({ ...issue, path: "acme.headers_extra" });
    expect(attributeIssue({ ...issue, path: "acme" }, sources)).toEqual({ ...issue, path: "acme" });
  });

  it("loadConfig returns the variable with the issue", async () => {
    const { appRoot } = appWith(GOOD_FILE);
    const { issues, file } = await loadConfig(acme, { appRoot, env: { ACME_ENDPOINT: "ftp://x" } });
    expect(file).toBe(join(appRoot, "llmops.yaml"));
    expect(issues).toEqual([expect.objectContaining({ path: "acme.endpoint", variable: "ACME_ENDPOINT" })]);
  });
});

describe("instrument() names the variable in its message", () => {
  let logs: CapturedLogs;
  const { appRoot, file } = appWith(GOOD_FILE);
  const env = { ACME_ENDPOINT: "ftp://x", ACME_API_KEY: SECRET };

  beforeEach(() => {
    resetProcessState();
    logs = captureDiag();
    registerPlatform(acme);
  });
  afterEach(() => logs.restore());

  it("strict: the ConfigurationError says (from VAR) where it said the file, and keeps the secret out", async () => {
    const error = await getPlatform("acme")
      .instrument({ appRoot, env, validationMode: "strict", flushOnExit: false })
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
    expect(ConfigurationError.isInstance(error)).toBe(true);
    const { message, issues } = error as ConfigurationError;
    expect(message).toContain("\n  - acme.endpoint: must start with http:// or https:// (received [redacted]) (from ACME_ENDPOINT)\n");
    expect(message).toMatch(/acme\.api_key: must be at least 24 characters .*received \[redacted\]\) \(from ACME_API_KEY\)$/m);
    expect(message).not.toContain(file);
    expect(message).not.toContain(SECRET);
    expect(issues.map((issue) => issue.variable)).toEqual(["ACME_ENDPOINT", "ACME_API_KEY"]);
  });

  it("permissive: the warning and the no-op handle's issues name the variable", async () => {
    const tracing = await getPlatform("acme").instrument({ appRoot, env, flushOnExit: false });
    expect(tracing.active).toBe(false);
    expect(tracing.issues.map((issue) => issue.variable)).toEqual(["ACME_ENDPOINT", "ACME_API_KEY"]);
    const warning = logs.messages.find((message) => message.includes("Invalid llmops configuration")) ?? "";
    expect(warning).toMatch(/acme\.endpoint: .*\(from ACME_ENDPOINT\)$/m);
    expect(warning).not.toContain(SECRET);
  });

  it("a ${VAR} issue says which variable and which file references it", async () => {
    const referenced = appWith("service:\n  name: svc\nacme:\n  endpoint: ${ACME_URL}\n");
    const error = await getPlatform("acme")
      .instrument({ appRoot: referenced.appRoot, env: { ACME_URL: "ftp://x" }, validationMode: "strict", flushOnExit: false })
      .then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
    expect((error as Error).message).toMatch(new RegExp(`acme\\.endpoint: .*received \\[redacted\\]\\) \\(from ACME_URL, referenced in ${referenced.file.replace(/[.\\/]/g, "\\$&")}\\)$`, "m"));
  });
});
