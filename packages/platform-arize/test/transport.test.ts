/**
 * Transport and TLS without the internet: the real instrument pipeline of `@llmops/platform-arize`
 * (`registerPlatform(platform)` + `getPlatform("arize").instrument()`) exports to local OTLP receivers — HTTP, HTTPS
 * with a throwaway CA, gRPC plaintext and TLS — and the tests read what reached the wire: path, headers, gzip,
 * resource attributes, spans.
 *
 * The receivers run here; the app runs in its own Node process (support/app-process.ts), because jest's module
 * sandbox cannot run the OTLP/HTTP exporter (a dynamic `import("http")`) and resolves packages plain Node would not.
 * The app process resets the process state and captures diag around every scenario, with the shared test support.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { createTempApp, generateTestCertificates, GRPC_EXPORT_PATH, startGrpcReceiver, startHttpReceiver } from "@llmops-internal/test-support";
import type { OtlpReceiver, ReceivedRequest, TempAppOptions, TestCertificates } from "@llmops-internal/test-support";
import { startAppProcess } from "./support/run-app";
import type { AppProcess, AppResult, AppStep } from "./support/run-app";

jest.setTimeout(30_000);

const SERVICE = "transport-svc";

let certificates: TestCertificates;
let appProcess: AppProcess;
const cleanups: Array<() => unknown> = [];

beforeAll(async () => {
  certificates = generateTestCertificates();
  appProcess = await startAppProcess();
}, 60_000);

afterAll(async () => {
  await appProcess?.stop();
  certificates?.remove();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The gRPC exporter the platform loads from the app. */
const GRPC_EXPORTER = "@opentelemetry/exporter-trace-otlp-grpc";

/** A temporary app, removed after the test; `grpcExporter` links the copy installed for this package into its node_modules. */
function app(options: { grpcExporter?: boolean; files?: TempAppOptions["files"] } = {}): { root: string } {
  const links: Record<string, string> = options.grpcExporter === true ? { [GRPC_EXPORTER]: join(__dirname, "..", "node_modules", GRPC_EXPORTER) } : {};
  const root = createTempApp({ links, ...(options.files === undefined ? {} : { files: options.files }) });
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  return { root };
}

async function receiver<R extends OtlpReceiver>(started: Promise<R>): Promise<R> {
  const running = await started;
  cleanups.push(() => running.close());
  return running;
}

/**
 * Runs the real pipeline in the app process with an inline config, strict unless told otherwise, then the steps
 * (default: end the given spans and flush), then `shutdown()`. Nothing may escape into the app.
 */
async function runApp(params: {
  appRoot: string;
  arize?: Record<string, unknown>;
  env?: Record<string, string>;
  service?: Record<string, unknown>;
  mode?: "strict" | "permissive";
  spans?: string[];
  steps?: AppStep[];
}): Promise<AppResult> {
  const result = await appProcess.run({
    appRoot: params.appRoot,
    env: params.env ?? {},
    config: { service: params.service ?? { name: SERVICE }, ...(params.arize === undefined ? {} : { arize: params.arize }) },
    validationMode: params.mode ?? "strict",
    steps: params.steps ?? [{ emit: params.spans ?? [], flush: true }],
  });
  expect(result.uncaught).toEqual([]);
  expect(result.flushRejected).toBeUndefined();
  return result;
}

function only(requests: readonly ReceivedRequest[]): ReceivedRequest {
  expect(requests).toHaveLength(1);
  return requests[0] as ReceivedRequest;
}

function warnings(result: AppResult): string[] {
  return result.logs.filter((message) => message.startsWith("warn "));
}

describe("Phoenix over HTTP", () => {
  it("posts to /v1/traces with the bearer key, the project, the user's headers, uncompressed", async () => {
    const collector = await receiver(startHttpReceiver());
    const result = await runApp({
      appRoot: app().root,
      arize: { endpoint: collector.url, api_key: "phoenix-key-123", project_name: "phoenix-project", headers: { "x-team": "llmops" } },
      steps: [{ emit: ["phoenix-span"], nested: ["parent-span", "child-span"], flush: true }],
    });
    expect(result.active).toBe(true);
    expect(result.flushes).toEqual([expect.objectContaining({ ok: true, timedOut: false })]);
    expect(result.shutdown).toEqual(expect.objectContaining({ ok: true, timedOut: false }));

    expect(collector.paths).toEqual(["/v1/traces"]);
    const request = only(collector.requests);
    expect(request.method).toBe("POST");
    expect(request.status).toBe(200);
    expect(request.headers["content-type"]).toBe("application/x-protobuf");
    expect(request.headers.authorization).toBe("Bearer phoenix-key-123");
    expect(request.headers["x-team"]).toBe("llmops");
    expect(request.headers["arize-space-id"]).toBeUndefined();
    expect(request.headers["arize-api-key"]).toBeUndefined();
    expect(request.gzip).toBe(false);
    expect(request.headers["content-encoding"]).toBeUndefined();
    expect(request.decodeError).toBeUndefined();
    expect(request.resourceAttributes).toMatchObject({ "service.name": SERVICE, "openinference.project.name": "phoenix-project" });
    expect(request.resourceAttributes.model_id).toBeUndefined();
    expect(request.spans.map((span) => span.name)).toEqual(["phoenix-span", "child-span", "parent-span"]);
    const [span, child, parent] = request.spans;
    expect(span?.attributes).toEqual({ "test.span": "phoenix-span", "test.number": 42, "test.flag": true });
    expect(span?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(span?.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(span?.parentSpanId).toBeUndefined();
    expect(span?.scope).toBe("transport-test");
    expect(parent?.parentSpanId).toBeUndefined();
    expect(child?.parentSpanId).toBe(parent?.spanId);
    expect(child?.traceId).toBe(parent?.traceId);
    expect(warnings(result)).toEqual([]);
  });

  it("gzips the body when compression is gzip, and does not append /v1/traces twice", async () => {
    const collector = await receiver(startHttpReceiver());
    const result = await runApp({
      appRoot: app().root,
      arize: { endpoint: `${collector.url}/v1/traces`, project_name: "gzip-project", compression: "gzip" },
      spans: ["gzipped-1", "gzipped-2"],
    });
    expect(result.flushes).toEqual([expect.objectContaining({ ok: true, timedOut: false })]);

    expect(collector.paths).toEqual(["/v1/traces"]);
    const request = only(collector.requests);
    expect(request.headers["content-encoding"]).toBe("gzip");
    expect(request.gzip).toBe(true);
    expect(request.decodeError).toBeUndefined();
    expect(request.headers.authorization).toBeUndefined();
    expect(request.resourceAttributes).toMatchObject({ "service.name": SERVICE, "openinference.project.name": "gzip-project" });
    expect(request.spans.map((span) => span.name).sort()).toEqual(["gzipped-1", "gzipped-2"]);
  });
});

describe("Arize AX over HTTPS with certificate_file", () => {
  const tls = (): { key: Buffer; cert: Buffer } => ({ key: certificates.serverKey, cert: certificates.serverCert });

  it("trusts the test CA and sends the AX headers and routing attributes, no bearer token", async () => {
    const collector = await receiver(startHttpReceiver({ tls: tls() }));
    expect(collector.url).toMatch(/^https:/);
    const result = await runApp({
      // certificate_file relative to the app root.
      appRoot: app({ files: { "certs/ca.pem": certificates.authority.cert } }).root,
      arize: { endpoint: collector.url, space_id: "space-abc", api_key: "ax-key-456", project_name: "ax-project", certificate_file: "certs/ca.pem" },
      spans: ["ax-span"],
    });
    expect(result.flushes).toEqual([expect.objectContaining({ ok: true, timedOut: false })]);

    expect(collector.paths).toEqual(["/v1/traces"]);
    const request = only(collector.requests);
    expect(request.headers["arize-space-id"]).toBe("space-abc");
    expect(request.headers["arize-api-key"]).toBe("ax-key-456");
    expect(request.headers.authorization).toBeUndefined();
    expect(request.resourceAttributes).toMatchObject({ "service.name": SERVICE, "openinference.project.name": "ax-project", model_id: "ax-project" });
    expect(request.spans.map((span) => span.name)).toEqual(["ax-span"]);
    expect(warnings(result)).toEqual([]);
  });

  it("routes to the service name when project_name is unset (absolute certificate_file)", async () => {
    const collector = await receiver(startHttpReceiver({ tls: tls() }));
    const result = await runApp({
      appRoot: app().root,
      service: { name: "checkout-service" },
      arize: { endpoint: collector.url, space_id: "space-abc", api_key: "ax-key-456", certificate_file: certificates.authority.certFile },
      spans: ["unnamed-project-span"],
    });
    expect(result.flushes).toEqual([expect.objectContaining({ ok: true, timedOut: false })]);

    const request = only(collector.requests);
    expect(request.resourceAttributes).toMatchObject({
      "service.name": "checkout-service",
      "openinference.project.name": "checkout-service",
      model_id: "checkout-service",
    });
  });

  it("with the wrong CA: no throw, an active handle, a resolving flush, nothing delivered, a clear warning without the key", async () => {
    const collector = await receiver(startHttpReceiver({ tls: tls() }));
    const result = await runApp({
      appRoot: app().root,
      arize: { endpoint: collector.url, space_id: "space-abc", api_key: "ax-secret-key-789", certificate_file: certificates.unrelatedAuthority.certFile },
      spans: ["untrusted-span"],
    });
    expect(result.threw).toBeUndefined();
    expect(result.active).toBe(true);
    expect(result.flushes).toHaveLength(1);
    expect(result.flushes[0]?.timedOut).toBe(false);
    expect(result.shutdown?.timedOut).toBe(false);

    expect(collector.requests).toEqual([]);
    expect(collector.paths).toEqual([]);
    const warning = warnings(result).join("\n");
    expect(warning).toMatch(/Export to Arize AX at https:\/\/127\.0\.0\.1:\d+\/v1\/traces .* failed \(.*certificate.*\); 1 span dropped, 1 so far/);
    expect(warning).toContain("not trusted by arize.certificate_file");
    expect(result.logs.join("\n")).not.toContain("ax-secret-key-789");
  });

  it("without certificate_file, a collector with a private CA is refused with a hint to set it", async () => {
    const collector = await receiver(startHttpReceiver({ tls: tls() }));
    const result = await runApp({ appRoot: app().root, arize: { endpoint: collector.url, api_key: "phoenix-secret-000" }, spans: ["no-ca-span"] });
    expect(result.active).toBe(true);
    expect(result.flushes[0]?.timedOut).toBe(false);

    expect(collector.requests).toEqual([]);
    expect(warnings(result).join("\n")).toContain("set arize.certificate_file to the CA that signed it");
    expect(result.logs.join("\n")).not.toContain("phoenix-secret-000");
  });
});

describe("certificate_file that does not exist", () => {
  const arize = { endpoint: "https://127.0.0.1:9/v1/traces", space_id: "space-abc", api_key: "ax-missing-key", certificate_file: "certs/missing-ca.pem" };

  it("strict mode throws an error naming arize.certificate_file", async () => {
    const result = await runApp({ appRoot: app().root, arize });
    expect(result.threw?.message).toMatch(/^ {2}- arize\.certificate_file: cannot read \S*certs\/missing-ca\.pem: it does not exist/m);
    expect(result.threw?.message).not.toContain("ax-missing-key");
  });

  it("permissive mode returns an inactive handle and warns", async () => {
    const result = await runApp({ appRoot: app().root, arize, mode: "permissive", spans: ["ignored"] });
    expect(result.threw).toBeUndefined();
    expect(result.active).toBe(false);
    expect(warnings(result).join("\n")).toMatch(/arize\.certificate_file: cannot read .*missing-ca\.pem/);
    expect(result.logs.join("\n")).not.toContain("ax-missing-key");
  });
});

describe("certificate_file with an http:// endpoint", () => {
  const arize = { endpoint: "http://127.0.0.1:9/v1/traces", api_key: "phoenix-http-key" };

  it("a missing file is one issue, without the 'not used over plain HTTP' warning beside it", async () => {
    const result = await runApp({ appRoot: app().root, arize: { ...arize, certificate_file: "certs/missing-ca.pem" }, mode: "permissive" });
    expect(result.active).toBe(false);
    const text = warnings(result).join("\n");
    expect(text).toMatch(/arize\.certificate_file: cannot read .*missing-ca\.pem: it does not exist/);
    expect(text).not.toContain("is not used");
  });

  it("a readable file gets the one warning that it is not used", async () => {
    const result = await runApp({ appRoot: app({ files: { "certs/ca.pem": "-----BEGIN CERTIFICATE-----\n" } }).root, arize: { ...arize, certificate_file: "certs/ca.pem" } });
    expect(result.threw).toBeUndefined();
    expect(warnings(result).filter((line) => line.includes("certificate_file"))).toEqual([expect.stringContaining("arize.certificate_file is not used: arize.endpoint is http://")]);
  });
});

describe("gRPC transport", () => {
  const ax = { space_id: "space-grpc", api_key: "grpc-key-321", project_name: "grpc-project", transport: "grpc" };

  it("delivers spans in plaintext with the AX metadata and resource attributes", async () => {
    const collector = await receiver(startGrpcReceiver());
    const result = await runApp({ appRoot: app({ grpcExporter: true }).root, arize: { ...ax, endpoint: collector.url }, spans: ["grpc-span"] });
    expect(result.active).toBe(true);
    expect(result.flushes).toEqual([expect.objectContaining({ ok: true, timedOut: false })]);

    const request = only(collector.requests);
    expect(request.path).toBe(GRPC_EXPORT_PATH);
    expect(request.headers["arize-space-id"]).toBe("space-grpc");
    expect(request.headers["arize-api-key"]).toBe("grpc-key-321");
    expect(request.headers.authorization).toBeUndefined();
    expect(request.decodeError).toBeUndefined();
    expect(request.resourceAttributes).toMatchObject({ "service.name": SERVICE, "openinference.project.name": "grpc-project", model_id: "grpc-project" });
    expect(request.spans.map((span) => span.name)).toEqual(["grpc-span"]);
    expect(request.spans[0]?.attributes).toEqual({ "test.span": "grpc-span", "test.number": 42, "test.flag": true });
    expect(warnings(result)).toEqual([]);
  });

  it("delivers spans over TLS trusting certificate_file, gzip on", async () => {
    const collector = await receiver(startGrpcReceiver({ tls: { key: certificates.serverKey, cert: certificates.serverCert } }));
    expect(collector.url).toMatch(/^https:/);
    const result = await runApp({
      appRoot: app({ grpcExporter: true, files: { "ca.pem": certificates.authority.cert } }).root,
      arize: { ...ax, endpoint: collector.url, certificate_file: "ca.pem", compression: "gzip" },
      spans: ["grpc-tls-span"],
    });
    expect(result.flushes).toEqual([expect.objectContaining({ ok: true, timedOut: false })]);

    const request = only(collector.requests);
    expect(request.headers["arize-space-id"]).toBe("space-grpc");
    expect(request.headers["arize-api-key"]).toBe("grpc-key-321");
    expect(request.decodeError).toBeUndefined();
    expect(request.resourceAttributes).toMatchObject({ "openinference.project.name": "grpc-project", model_id: "grpc-project" });
    expect(request.spans.map((span) => span.name)).toEqual(["grpc-tls-span"]);
    expect(warnings(result)).toEqual([]);
  });

  it("with the wrong CA over TLS: nothing delivered, a TLS warning naming arize.certificate_file, no key", async () => {
    const collector = await receiver(startGrpcReceiver({ tls: { key: certificates.serverKey, cert: certificates.serverCert } }));
    const result = await runApp({
      appRoot: app({ grpcExporter: true }).root,
      arize: { ...ax, endpoint: collector.url, certificate_file: certificates.unrelatedAuthority.certFile, timeout_ms: 3_000 },
      spans: ["grpc-untrusted-span"],
    });
    expect(result.threw).toBeUndefined();
    expect(result.active).toBe(true);
    expect(result.flushes[0]?.timedOut).toBe(false);

    expect(collector.requests).toEqual([]);
    const warning = warnings(result).join("\n");
    expect(warning).toMatch(/Export to Arize AX at https:\/\/127\.0\.0\.1:\d+\/ .* failed \(.*certificate.*\); 1 span dropped, 1 so far/);
    expect(warning).toContain("not trusted by arize.certificate_file");
    expect(result.logs.join("\n")).not.toContain("grpc-key-321");
  });

  it("strict mode throws MissingDependencyError with the install line when the exporter is not installed", async () => {
    const result = await runApp({ appRoot: app({ files: { "package-lock.json": "{}" } }).root, arize: { ...ax, endpoint: "http://127.0.0.1:9" } });
    expect(result.threw).toMatchObject({
      name: "MissingDependencyError",
      missingDependency: true,
      packageName: GRPC_EXPORTER,
      installCommand: `npm install ${GRPC_EXPORTER}@0.223`,
    });
    expect(result.threw?.message).toContain(`arize.transport is "grpc", which needs ${GRPC_EXPORTER}.`);
    expect(result.threw?.message).toContain(`Install with: npm install ${GRPC_EXPORTER}@0.223`);
  });

  it("permissive mode returns an inactive handle and warns with the install line", async () => {
    const result = await runApp({
      appRoot: app({ files: { "pnpm-lock.yaml": "lockfileVersion: '9.0'\n" } }).root,
      arize: { ...ax, endpoint: "http://127.0.0.1:9" },
      mode: "permissive",
      spans: ["ignored"],
    });
    expect(result.threw).toBeUndefined();
    expect(result.active).toBe(false);
    expect(warnings(result).join("\n")).toContain(`Install with: pnpm add ${GRPC_EXPORTER}@0.223`);
    expect(result.logs.join("\n")).not.toContain("grpc-key-321");
  });
});

describe("environment variables reach the wire", () => {
  it("PHOENIX_COLLECTOR_ENDPOINT, PHOENIX_API_KEY, PHOENIX_PROJECT_NAME and PHOENIX_CLIENT_HEADERS", async () => {
    const collector = await receiver(startHttpReceiver());
    const result = await runApp({
      appRoot: app().root,
      env: {
        PHOENIX_COLLECTOR_ENDPOINT: collector.url,
        PHOENIX_API_KEY: "env-phoenix-key",
        PHOENIX_PROJECT_NAME: "env-project",
        PHOENIX_CLIENT_HEADERS: "x-env-one=first,x-env-two=with%20space",
      },
      spans: ["env-span"],
    });
    expect(result.flushes).toEqual([expect.objectContaining({ ok: true, timedOut: false })]);

    const request = only(collector.requests);
    expect(request.path).toBe("/v1/traces");
    expect(request.headers.authorization).toBe("Bearer env-phoenix-key");
    expect(request.headers["x-env-one"]).toBe("first");
    expect(request.headers["x-env-two"]).toBe("with space");
    expect(request.resourceAttributes).toMatchObject({ "openinference.project.name": "env-project" });
  });

  it("ARIZE_SPACE_ID and ARIZE_API_KEY switch the config file's endpoint to Arize AX", async () => {
    const collector = await receiver(startHttpReceiver());
    const result = await runApp({
      appRoot: app().root,
      arize: { endpoint: collector.url, api_key: "config-key" },
      env: { ARIZE_SPACE_ID: "env-space", ARIZE_API_KEY: "env-ax-key" },
      spans: ["env-ax-span"],
    });
    expect(result.flushes).toEqual([expect.objectContaining({ ok: true, timedOut: false })]);

    const request = only(collector.requests);
    expect(request.headers["arize-space-id"]).toBe("env-space");
    expect(request.headers["arize-api-key"]).toBe("env-ax-key");
    expect(request.headers.authorization).toBeUndefined();
    expect(request.resourceAttributes).toMatchObject({ "openinference.project.name": SERVICE, model_id: SERVICE });
  });
});

describe("a failing collector", () => {
  it("drops the batch answered 500, warns with the count, and delivers the spans after it", async () => {
    const collector = await receiver(startHttpReceiver());
    collector.answerNext(500);
    const result = await runApp({
      appRoot: app().root,
      arize: { endpoint: collector.url, api_key: "key-500" },
      steps: [
        { emit: ["lost-1", "lost-2"], flush: true },
        { emit: ["delivered"], flush: true },
      ],
    });
    expect(result.flushes.map((flush) => flush.timedOut)).toEqual([false, false]);

    expect(collector.requests.map((request) => request.status)).toEqual([500, 200]);
    expect(collector.requests[0]?.spans.map((span) => span.name).sort()).toEqual(["lost-1", "lost-2"]);
    expect(collector.acceptedSpans().map((span) => span.name)).toEqual(["delivered"]);
    const warning = warnings(result);
    expect(warning).toHaveLength(1);
    expect(warning[0]).toMatch(/Export to Phoenix at http:\/\/127\.0\.0\.1:\d+\/v1\/traces .* failed \(.*\); 2 spans dropped, 2 so far\./);
    expect(result.logs.join("\n")).toMatch(/recovered; 2 spans were dropped while it failed/);
    expect(result.logs.join("\n")).not.toContain("key-500");
  });
});
