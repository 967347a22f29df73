import { diag } from "@opentelemetry/api";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
import * as v from "valibot";
import { ConfigurationError, LlmopsError, definePlatform, getPlatform, redactSecrets, redactUrl, registerPlatform, travelsInClear } from "@llmops/core";
import { resolveConfig } from "../src/config/resolve-config";
import { forgetSecrets, rememberConfigSecrets, rememberEnvironmentSecrets } from "../src/helpers/redact";
import { logger } from "../src/internal/logger";
import { bounded } from "../src/pipeline/handle";
import { ReportingExporter } from "../src/provider/reporting-exporter";
import { TracingStatsCollector } from "../src/provider/tracing-stats";
import { captureDiag, createTempApp } from "@llmops-internal/test-support";
import { resetProcessState } from "@llmops-internal/test-support/process-state";

/** Distinct values with characters that change under URL encoding, so every form is a different string. */
const KEY = "sk-key/unit+Qx7@Lm2";
const TOKEN = "tok-unit-9f8e7d6c5b";
const PASSWORD = "pw:unit/4a3b2c1d";
const HEADER = "hdr-unit-0a1b2c3d4e";

/** The forms a secret travels in: as is, URL-encoded, base64 (as basic auth carries it), with and without padding. */
function forms(secret: string): string[] {
  const base64 = Buffer.from(secret).toString("base64");
  return [secret, encodeURIComponent(secret), base64, base64.replace(/=+$/, "")];
}

function expectClean(text: string, secrets: readonly string[]): void {
  for (const secret of secrets) for (const form of forms(secret)) expect(text).not.toContain(form);
}

const acme = definePlatform({
  name: "acme",
  configSection: "acme",
  packageName: "acme-llmops-platform",
  schema: v.object({
    endpoint: v.pipe(v.string(), v.url("must be a URL")),
    api_key: v.optional(v.string()),
    headers: v.optional(v.record(v.string(), v.string())),
  }),
  instrumentors: [],
  createTracerProvider: () => Promise.reject(new Error("not used")),
});

afterEach(() => forgetSecrets());

describe("secrets never leave in a message", () => {
  it("an endpoint that does not parse is reported without its user info or token, in the issue and the error", async () => {
    const endpoint = `http://user:${encodeURIComponent(PASSWORD)}@bad host:6006/v1/traces?token=${TOKEN}`;
    const result = await resolveConfig({ platform: acme, appRoot: createTempApp(), env: {}, inline: { service: { name: "svc" }, acme: { endpoint } } });
    const issue = result.issues.find((item) => item.path === "acme.endpoint");
    expect(issue?.message).toBe("must be a URL");
    expect(issue?.received).toContain("[redacted]@bad host");
    const error = new ConfigurationError(result.issues);
    expectClean(`${JSON.stringify(result.issues)}\n${error.message}\n${error.stack ?? ""}`, [PASSWORD, TOKEN, "user:"]);
  });

  it("scrubs every remembered credential, in each form, from errors, diag lines, stats and flush results", async () => {
    rememberConfigSecrets({ acme: { endpoint: "http://127.0.0.1:1", api_key: KEY, headers: { "x-auth": HEADER } }, mlflow: { username: "alice-unit", password: PASSWORD } });
    rememberEnvironmentSecrets({ MLFLOW_TRACKING_TOKEN: TOKEN, PATH: "/usr/bin" });
    const echo = `401 echo: authorization: Bearer ${TOKEN}; Basic ${Buffer.from(`alice-unit:${PASSWORD}`).toString("base64")}; x-auth=${encodeURIComponent(HEADER)}; ${Buffer.from(KEY).toString("base64")} ${KEY}`;

    expectClean(new LlmopsError(echo).message, [KEY, TOKEN, PASSWORD, HEADER, "alice-unit:"]);
    expectClean(new LlmopsError(echo).stack ?? "", [KEY, TOKEN, PASSWORD, HEADER]);

    const logs = captureDiag();
    logger.warn(echo, new Error(KEY), { header: HEADER });
    logs.restore();
    expect(logs.text()).toContain("[redacted]");
    expectClean(logs.text(), [KEY, TOKEN, PASSWORD, HEADER]);

    const collector = new TracingStatsCollector();
    const failing: SpanExporter = { export: (_spans, done) => done({ code: 1, error: Object.assign(new Error(`${echo} ${"x".repeat(2_000)}`), { code: 401 }) }), shutdown: () => Promise.resolve() };
    const exporter = new ReportingExporter(failing, diag, "acme", undefined, collector.addPipeline());
    exporter.export([{} as ReadableSpan], () => undefined);
    const lastExportError = collector.snapshot().lastExportError ?? "";
    expect(lastExportError).toMatch(/^401 echo: authorization: Bearer \[redacted\]/);
    // A server's text is quoted, not dumped.
    expect(lastExportError.length).toBeLessThanOrEqual(300);
    expectClean(lastExportError, [KEY, TOKEN, PASSWORD, HEADER]);

    const flush = await bounded(() => Promise.reject(new Error(echo)), 1_000);
    expect(flush.ok).toBe(false);
    expectClean(flush.error ?? "", [KEY, TOKEN, PASSWORD, HEADER]);
  });

  it("masks URL user info and token-ish query values it never saw, and leaves ordinary text alone", () => {
    expect(redactSecrets("GET http://bob:hunter22@host/x?token=abc123&page=2 failed")).toBe("GET http://[redacted]@host/x?token=[redacted]&page=2 failed");
    expect(redactUrl("http://bob:hunter22@bad host/?api_key=abc123")).toBe("http://[redacted]@bad host/?api_key=[redacted]");
    expect(redactSecrets('endpoint "http://bob:pa/ss@word@bad host/"')).toBe('endpoint "http://[redacted]@bad host/"');
    expect(redactSecrets("connect ECONNREFUSED 127.0.0.1:6006")).toBe("connect ECONNREFUSED 127.0.0.1:6006");
    expect(redactSecrets("see https://registry.npmjs.org/@llmops/core")).toBe("see https://registry.npmjs.org/@llmops/core");
  });

  it("remembers the values of credential variables and each header of a header list, not switches or short values", () => {
    rememberEnvironmentSecrets({ OTEL_EXPORTER_OTLP_HEADERS: `x-one=${encodeURIComponent(HEADER)},x-two=second-header-value`, SOME_TOKEN_CACHE: "true", SHORT_TOKEN: "ab", USERNAME: "root" });
    expect(redactSecrets(`${HEADER} second-header-value`)).toBe("[redacted] [redacted]");
    expect(redactSecrets("true ab /root/app")).toBe("true ab /root/app");
  });

  it("finds a secret under a node shared by an alias, and ends on a cycle", () => {
    const shared = { "x-team": "shared-header-value" };
    const config: Record<string, unknown> = { common: shared, acme: { headers: shared } };
    config.self = config;
    rememberConfigSecrets(config);
    expect(redactSecrets("got shared-header-value")).toBe("got [redacted]");
  });

  it("caps a quote after scrubbing it, so a cut never leaves half a secret", () => {
    rememberConfigSecrets({ acme: { api_key: KEY } });
    const text = `${"a".repeat(10)}${KEY}`;
    expect(redactSecrets(text, { maxLength: 14 })).toBe(`${"a".repeat(10)}[re…`);
  });
});

describe("the pipeline learns the secrets before anything can report them", () => {
  const variable = "OTEL_EXPORTER_OTLP_HEADERS";
  const saved = process.env[variable];
  afterEach(() => {
    if (saved === undefined) delete process.env[variable];
    else process.env[variable] = saved;
    resetProcessState();
  });

  it("scrubs the section's credentials and process.env's header list (which exporters read themselves) from the platform's warnings and errors", async () => {
    process.env[variable] = `x-vendor-key=${encodeURIComponent(HEADER)}`;
    const echoing = definePlatform({
      name: "echoing",
      configSection: "echoing",
      packageName: "echoing-llmops-platform",
      schema: v.object({ endpoint: v.string(), api_key: v.string() }),
      instrumentors: [],
      createTracerProvider: ({ section, logger: platformLogger }) => {
        // A server that echoes everything it was sent, as a platform would relay it.
        const echo = `server said: ${section.endpoint} Bearer ${section.api_key} x-vendor-key=${HEADER}`;
        platformLogger.warn(echo);
        return Promise.reject(new Error(echo));
      },
    });
    registerPlatform(echoing);
    const logs = captureDiag();
    const endpoint = `http://bob:${encodeURIComponent(PASSWORD)}@collector.example:4318/v1/traces?token=${TOKEN}`;
    const failure = await getPlatform("echoing")
      .instrument({ appRoot: createTempApp(), env: {}, flushOnExit: false, validationMode: "strict", config: { service: { name: "svc" }, echoing: { endpoint, api_key: KEY } } })
      .then(
        () => "resolved",
        (error: unknown) => String((error as Error).stack),
      );
    logs.restore();
    expect(failure).toContain("server said: http://[redacted]@collector.example:4318/v1/traces?token=[redacted] Bearer [redacted]");
    expect(logs.text()).toContain("Bearer [redacted]");
    expectClean(`${failure}\n${logs.text()}`, [KEY, TOKEN, PASSWORD, HEADER]);
  });
});

describe("travelsInClear reads the host as an address", () => {
  it("a name that starts with 127. is not loopback; 127.0.0.0/8, localhost, ::1 and mapped 127.x are", () => {
    expect(travelsInClear("http://127.evil.example:6006")).toBe(true);
    expect(travelsInClear("http://127.0.0.1.nip.io")).toBe(true);
    expect(travelsInClear("http://[::ffff:10.0.0.1]")).toBe(true);
    expect(travelsInClear("http://127.0.0.1:6006")).toBe(false);
    expect(travelsInClear("http://127.8.9.10")).toBe(false);
    expect(travelsInClear("http://LOCALHOST:6006")).toBe(false);
    expect(travelsInClear("http://[::1]:6006")).toBe(false);
    expect(travelsInClear("http://[::ffff:127.0.0.1]:6006")).toBe(false);
  });
});
