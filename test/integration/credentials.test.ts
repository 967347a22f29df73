import { rmSync } from "node:fs";
import { join } from "node:path";
import { cleanEnvironment, createTempApp, markedJsonLine, runNode, startFakeMlflow, startGrpcReceiver, startHttpReceiver } from "@llmops-internal/test-support";
import type { FakeMlflow, OtlpReceiver } from "@llmops-internal/test-support";

/**
 * Credentials go only where the user sent them, against the built packages: an app whose config file names its
 * Phoenix, Arize AX or MLflow server runs in an environment that also names a "generic collector" the way a cluster
 * does (`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_HEADERS` in the real
 * process environment, where the OpenTelemetry exporters read them for themselves). Two real loopback receivers
 * listen: the one the file names and the generic one. The tests read what arrived at each, and what the app printed.
 *
 * The precedence table of docs/configuration.md ("Where spans go") is tested row by row on the wire: an explicit
 * `instrument({ overrides })` value beats a platform variable, which beats the file, which beats a generic variable;
 * a generic variable applies, with a warning, only when nothing else names the destination.
 */

jest.setTimeout(60_000);

const APP = join(__dirname, "apps", "credentials-app.cjs");
const TAG = `${process.pid}-${Date.now().toString(36)}`;
const API_KEY = `phoenix-key-${TAG}`;
const OTHER_VENDOR_SECRET = `other-vendor-secret-${TAG}`;
const GENERIC_HEADERS = `x-other-vendor=${OTHER_VENDOR_SECRET}`;

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function started<R extends { close(): Promise<void> }>(server: Promise<R>): Promise<R> {
  const running = await server;
  cleanups.push(() => running.close());
  return running;
}

/** The gRPC exporter the Arize platform loads from the app: the copy installed for that package. */
const GRPC_EXPORTER = "@opentelemetry/exporter-trace-otlp-grpc";

/** An app root holding `llmops.yaml` (JSON is YAML) and, for gRPC, the gRPC exporter. */
function appWith(config: Record<string, unknown>, options: { grpc?: boolean } = {}): string {
  const file = JSON.stringify(config, null, 2);
  const links: Record<string, string> = options.grpc === true ? { [GRPC_EXPORTER]: join(__dirname, "..", "..", "packages", "platform-arize", "node_modules", GRPC_EXPORTER) } : {};
  const root = createTempApp({ links, files: { "llmops.yaml": file } });
  cleanups.push(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

interface AppRun {
  /** stdout and stderr together: llmops's console logger and the result line. */
  output: string;
  result: { active?: boolean; threw?: string; flush?: { ok: boolean }; shutdown?: { ok: boolean }; unhandled: string[] };
}

/** Runs the app in `appRoot` with exactly these variables of llmops, OpenTelemetry and the platforms set. */
async function runApp(appRoot: string, scenario: { platform: "arize" | "mlflow"; spans: string[]; overrides?: Record<string, unknown> }, variables: Record<string, string>): Promise<AppRun> {
  const run = await runNode([APP], { cwd: appRoot, env: cleanEnvironment({ ...variables, CREDENTIALS_SCENARIO: JSON.stringify(scenario) }), timeoutMillis: 30_000 });
  const output = `${run.stdout}${run.stderr}`;
  if (run.killed) throw new Error(`the app did not finish within 30 s:\n${output}`);
  const result = markedJsonLine<AppRun["result"]>(run.stdout, "CREDENTIALS-RESULT ");
  if (result === undefined) throw new Error(`the app printed no result:\n${output}`);
  return { output, result };
}

/** The app ran, nothing escaped into it, and everything was delivered. */
function expectDelivered(run: AppRun): void {
  expect(run.result.threw).toBeUndefined();
  expect(run.result.unhandled).toEqual([]);
  expect(run.result.active).toBe(true);
  expect(run.result.flush?.ok).toBe(true);
}

function spanNames(receiver: OtlpReceiver): string[] {
  return receiver.requests.flatMap((request) => request.spans.map((span) => span.name));
}

describe("a generic collector in the environment does not get the credentials of the file's Phoenix", () => {
  it.each([["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"], ["OTEL_EXPORTER_OTLP_ENDPOINT"]])("http/protobuf, with %s and OTEL_EXPORTER_OTLP_HEADERS", async (variable) => {
    const phoenix = await started(startHttpReceiver());
    const generic = await started(startHttpReceiver());
    const appRoot = appWith({ service: { name: "creds" }, arize: { endpoint: phoenix.url, api_key: API_KEY, project_name: "p" } });
    const run = await runApp(appRoot, { platform: "arize", spans: ["to-phoenix"] }, { [variable]: generic.url, OTEL_EXPORTER_OTLP_HEADERS: GENERIC_HEADERS });
    expectDelivered(run);

    expect(spanNames(phoenix)).toEqual(["to-phoenix"]);
    for (const request of phoenix.requests) {
      expect(request.headers.authorization).toBe(`Bearer ${API_KEY}`);
      expect(request.headers["x-other-vendor"]).toBeUndefined();
    }
    expect(generic.paths).toEqual([]);
    // The warning names the variables, never their values.
    expect(run.output).toContain(`${variable} (arize.endpoint is set by the configuration)`);
    expect(run.output).toContain("OTEL_EXPORTER_OTLP_HEADERS (arize.endpoint is set by the configuration)");
    expect(run.output).not.toContain(OTHER_VENDOR_SECRET);
    expect(run.output).not.toContain(String(generic.port));
    expect(run.output).not.toContain(API_KEY);
  });

  it("grpc (Arize AX metadata), with OTEL_EXPORTER_OTLP_TRACES_ENDPOINT and OTEL_EXPORTER_OTLP_HEADERS", async () => {
    const ax = await started(startGrpcReceiver());
    const generic = await started(startGrpcReceiver());
    const appRoot = appWith({ service: { name: "creds" }, arize: { endpoint: ax.url, transport: "grpc", space_id: "space-1", api_key: API_KEY } }, { grpc: true });
    const run = await runApp(appRoot, { platform: "arize", spans: ["to-ax"] }, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: generic.url, OTEL_EXPORTER_OTLP_HEADERS: GENERIC_HEADERS });
    expectDelivered(run);

    expect(spanNames(ax)).toEqual(["to-ax"]);
    for (const request of ax.requests) {
      expect(request.headers["arize-api-key"]).toBe(API_KEY);
      expect(request.headers["x-other-vendor"]).toBeUndefined();
    }
    expect(generic.requests).toEqual([]);
    expect(run.output).toContain("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (arize.endpoint is set by the configuration)");
    expect(run.output).not.toContain(OTHER_VENDOR_SECRET);
    expect(run.output).not.toContain(String(generic.port));
  });
});

describe("a generic collector in the environment does not get what is sent to MLflow", () => {
  it("OTEL_EXPORTER_OTLP_HEADERS is not merged into the export or the REST requests; OTEL_EXPORTER_OTLP_ENDPOINT gets nothing", async () => {
    const mlflow: FakeMlflow = await started(startFakeMlflow());
    const generic = await started(startHttpReceiver());
    const appRoot = appWith({ service: { name: "creds" }, mlflow: { tracking_uri: mlflow.url, experiment_name: "creds", token: API_KEY } });
    const run = await runApp(appRoot, { platform: "mlflow", spans: ["to-mlflow"] }, { OTEL_EXPORTER_OTLP_ENDPOINT: generic.url, OTEL_EXPORTER_OTLP_HEADERS: GENERIC_HEADERS });
    expectDelivered(run);

    const exports = mlflow.requests.filter((request) => request.path === "/v1/traces");
    expect(exports).toHaveLength(1);
    expect(mlflow.requests.length).toBeGreaterThan(1); // the experiment lookup went there too
    for (const request of mlflow.requests) {
      expect(request.headers.authorization).toBe(`Bearer ${API_KEY}`);
      expect(request.headers["x-other-vendor"]).toBeUndefined();
    }
    expect(generic.paths).toEqual([]);
    expect(run.output).toContain("OTEL_EXPORTER_OTLP_HEADERS (the mlflow platform does not read it)");
    expect(run.output).not.toContain(OTHER_VENDOR_SECRET);
    expect(run.output).not.toContain(String(generic.port));
  });
});

describe("precedence, row by row, on the wire", () => {
  it("an explicit option beats the platform variable (arize: overrides.arize.endpoint over PHOENIX_COLLECTOR_ENDPOINT)", async () => {
    const explicit = await started(startHttpReceiver());
    const variable = await started(startHttpReceiver());
    const file = await started(startHttpReceiver());
    const appRoot = appWith({ service: { name: "creds" }, arize: { endpoint: file.url, api_key: API_KEY } });
    const run = await runApp(appRoot, { platform: "arize", spans: ["explicit"], overrides: { arize: { endpoint: explicit.url } } }, { PHOENIX_COLLECTOR_ENDPOINT: variable.url });
    expectDelivered(run);
    expect(spanNames(explicit)).toEqual(["explicit"]);
    expect(variable.paths).toEqual([]);
    expect(file.paths).toEqual([]);
  });

  it("an explicit option beats the platform variable (mlflow: overrides.mlflow.tracking_uri over MLFLOW_TRACKING_URI)", async () => {
    const explicit = await started(startFakeMlflow());
    const variable = await started(startFakeMlflow());
    const appRoot = appWith({ service: { name: "creds" }, mlflow: { tracking_uri: "http://127.0.0.1:9", token: API_KEY } });
    const run = await runApp(appRoot, { platform: "mlflow", spans: ["explicit"], overrides: { mlflow: { tracking_uri: explicit.url } } }, { MLFLOW_TRACKING_URI: variable.url });
    expectDelivered(run);
    expect(explicit.requests.filter((request) => request.path === "/v1/traces")).toHaveLength(1);
    expect(variable.requests).toEqual([]);
  });

  it("the platform variable beats the file (PHOENIX_COLLECTOR_ENDPOINT over arize.endpoint)", async () => {
    const variable = await started(startHttpReceiver());
    const file = await started(startHttpReceiver());
    const appRoot = appWith({ service: { name: "creds" }, arize: { endpoint: file.url, api_key: API_KEY } });
    const run = await runApp(appRoot, { platform: "arize", spans: ["variable"] }, { PHOENIX_COLLECTOR_ENDPOINT: variable.url });
    expectDelivered(run);
    expect(spanNames(variable)).toEqual(["variable"]);
    expect(file.paths).toEqual([]);
  });

  it("the file beats the generic variable (arize.endpoint over OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)", async () => {
    const file = await started(startHttpReceiver());
    const generic = await started(startHttpReceiver());
    const appRoot = appWith({ service: { name: "creds" }, arize: { endpoint: file.url, api_key: API_KEY } });
    const run = await runApp(appRoot, { platform: "arize", spans: ["file"] }, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: generic.url });
    expectDelivered(run);
    expect(spanNames(file)).toEqual(["file"]);
    expect(generic.paths).toEqual([]);
  });

  it("a generic variable applies only when nothing names the destination: with its own headers, and a warning naming it", async () => {
    const generic = await started(startHttpReceiver());
    const appRoot = appWith({ service: { name: "creds" }, arize: { api_key: API_KEY } });
    const run = await runApp(appRoot, { platform: "arize", spans: ["to-generic"] }, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: generic.url, OTEL_EXPORTER_OTLP_TRACES_HEADERS: GENERIC_HEADERS });
    expectDelivered(run);
    expect(spanNames(generic)).toEqual(["to-generic"]);
    expect(generic.requests[0]?.headers["x-other-vendor"]).toBe(OTHER_VENDOR_SECRET);
    expect(run.output).toContain("arize.endpoint and arize.headers come from OTEL_EXPORTER_OTLP_TRACES_ENDPOINT and OTEL_EXPORTER_OTLP_TRACES_HEADERS");
    expect(run.output).not.toContain(OTHER_VENDOR_SECRET);
    expect(run.output).not.toContain(String(generic.port));
  });
});
