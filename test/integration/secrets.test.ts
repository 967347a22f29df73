import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanEnvironment, generateTestCertificates, markedJsonLine, runNode, unusedPort } from "@llmops-internal/test-support";
import type { TestCertificates } from "@llmops-internal/test-support";

/**
 * No secret in any message, whatever the input. Distinct secrets are planted in every credential field of the Arize and
 * MLflow sections (api_key, space_id, headers, token, username, password), in every credential variable llmops or the
 * OTLP exporter reads (ARIZE_API_KEY, PHOENIX_API_KEY, ARIZE_SPACE_ID, MLFLOW_TRACKING_TOKEN/USERNAME/PASSWORD,
 * OTEL_EXPORTER_OTLP_HEADERS, OTEL_EXPORTER_OTLP_TRACES_HEADERS) and in the user info and `?token=` of endpoints. Then
 * every error path is driven, against the built packages, at llmops's most verbose log level (the OpenTelemetry SDK's
 * own diag lines included): a URL that does not parse, 401, 403 and 500 from a server that echoes the request (headers
 * and URL) in its status text and body, a refused connection, an untrusted TLS certificate, in strict and permissive
 * mode, and `llmops validate`. Nothing the process printed, threw, or reported (issues, stats, flush results) may hold any
 * secret, nor any 12-character piece of one, as is, URL-encoded or in base64.
 */

jest.setTimeout(120_000);

const packages = join(__dirname, "..", "..", "packages");
const APP = join(__dirname, "apps", "secrets-app.cjs");
const CLI = join(packages, "core", "dist", "cli.cjs");

/**
 * A distinct secret: a short label (so that every 12-character piece holds random characters, and no header name or
 * word of a message can match one), random hex, and `/` and `+` so that its URL-encoded form differs from it.
 */
const secret = (label: string): string => `${label}-${randomBytes(8).toString("hex")}/${randomBytes(3).toString("hex")}+Z`;

const S = {
  arizeKey: secret("afk"),
  arizeSpace: secret("afs"),
  arizeHeader: secret("afh"),
  mlflowToken: secret("mft"),
  mlflowUser: secret("mfu"),
  mlflowPassword: secret("mfp"),
  mlflowHeader: secret("mfh"),
  urlUser: secret("uu"),
  urlPassword: secret("up"),
  urlToken: secret("ut"),
  envUrlUser: secret("evu"),
  envUrlPassword: secret("evp"),
  envUrlToken: secret("evt"),
  envArizeKey: secret("eak"),
  envPhoenixKey: secret("epk"),
  envArizeSpace: secret("eas"),
  envMlflowToken: secret("emt"),
  envMlflowUser: secret("emu"),
  envMlflowPassword: secret("emp"),
  envOtelHeader: secret("eoh"),
  envOtelTracesHeader: secret("eot"),
};
const SECRETS = Object.values(S);

/** Every 12-character piece of every form a secret travels in. */
function forbiddenPieces(): Map<string, string> {
  const pieces = new Map<string, string>();
  const add = (form: string, origin: string): void => {
    for (let start = 0; start + 12 <= form.length; start++) pieces.set(form.slice(start, start + 12), origin);
  };
  for (const value of SECRETS) {
    add(value, value);
    add(encodeURIComponent(value), `${value} (URL-encoded)`);
    add(Buffer.from(value).toString("base64"), `${value} (base64)`);
  }
  for (const [user, password] of [
    [S.mlflowUser, S.mlflowPassword],
    [S.envMlflowUser, S.envMlflowPassword],
    [S.urlUser, S.urlPassword],
    [S.envUrlUser, S.envUrlPassword],
  ] as const) {
    add(Buffer.from(`${user}:${password}`).toString("base64"), `${user}:${password} (basic auth)`);
  }
  return pieces;
}
const FORBIDDEN = forbiddenPieces();

/** The secrets a text holds a piece of, each with the first piece found in its context: an empty list is the pass. */
function leaks(text: string): string[] {
  const found = new Map<string, string>();
  for (const [piece, origin] of FORBIDDEN) {
    const at = text.indexOf(piece);
    if (at >= 0 && !found.has(origin)) found.set(origin, `${origin}: …${text.slice(Math.max(0, at - 60), at + 30)}…`);
  }
  return [...found.values()];
}

/** The user info and `?token=` of an endpoint, percent-encoded as a URL carries them. */
const userinfo = `${encodeURIComponent(S.urlUser)}:${encodeURIComponent(S.urlPassword)}`;
const tokenQuery = `token=${encodeURIComponent(S.urlToken)}`;

/** Credentials in every variable llmops (or the OTLP exporter) reads; and the same environment without them. */
const CREDENTIAL_ENV = {
  ARIZE_API_KEY: S.envArizeKey,
  PHOENIX_API_KEY: S.envPhoenixKey,
  ARIZE_SPACE_ID: S.envArizeSpace,
  MLFLOW_TRACKING_TOKEN: S.envMlflowToken,
  MLFLOW_TRACKING_USERNAME: S.envMlflowUser,
  MLFLOW_TRACKING_PASSWORD: S.envMlflowPassword,
  OTEL_EXPORTER_OTLP_HEADERS: `x-otel-key=${encodeURIComponent(S.envOtelHeader)}`,
  OTEL_EXPORTER_OTLP_TRACES_HEADERS: `x-otel-traces-key=${encodeURIComponent(S.envOtelTracesHeader)}`,
};

function baseEnvironment(): NodeJS.ProcessEnv {
  return cleanEnvironment({ LLMOPS_LOG_LEVEL: "ALL" });
}

/** A server that answers every request with `status`, echoing the request's headers and URL in its status text and body. */
interface EchoServer {
  readonly url: string;
  readonly origin: string;
  /** Every header value and URL received, for proving that credentials were sent at all. */
  readonly received: string[];
  close(): Promise<void>;
}

async function startEchoServer(params: { status: number; tls?: TestCertificates; mlflowLookupsSucceed?: boolean }): Promise<EchoServer> {
  const received: string[] = [];
  const handler = (request: IncomingMessage, response: ServerResponse): void => {
    request.resume();
    request.on("end", () => {
      received.push(request.url ?? "", ...Object.values(request.headers).map(String));
      if (params.mlflowLookupsSucceed === true && request.url?.startsWith("/api/2.0/mlflow/experiments/get-by-name") === true) {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify({ experiment: { experiment_id: "7", name: "e", lifecycle_stage: "active" } }));
        return;
      }
      const echo = `${request.method ?? ""} ${request.url ?? ""} ${JSON.stringify(request.headers)}`;
      // A reason phrase may hold any visible character: the whole request, as a careless proxy would echo it.
      response.writeHead(params.status, echo.replace(/[^\x20-\x7e]/g, "?"), { "content-type": "application/json" });
      response.end(JSON.stringify({ error_code: "ECHO", message: `You sent: ${echo}` }));
    });
  };
  const server = params.tls === undefined ? createServer(handler) : createHttpsServer({ key: params.tls.serverKey, cert: params.tls.serverCert }, handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  const origin = `${params.tls === undefined ? "http" : "https"}://127.0.0.1:${port}`;
  return {
    url: origin,
    origin,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An endpoint with credentials in its user info and (for OTLP endpoints) its query: `scheme://user:password@host/path?token=`. */
function withCredentials(origin: string, path?: string): string {
  return origin.replace("://", `://${userinfo}@`) + (path === undefined ? "" : `${path}?${tokenQuery}`);
}

/** A URL that does not parse (a space in the host), carrying the same credentials. */
const unparseable = (port: number, path = ""): string => `http://${userinfo}@bad host:${port}${path}?${tokenQuery}`;

/** Credentials of the endpoints set by variables. */
const envUserinfo = `${encodeURIComponent(S.envUrlUser)}:${encodeURIComponent(S.envUrlPassword)}`;
const envTokenQuery = `token=${encodeURIComponent(S.envUrlToken)}`;

const arizeSection = (endpoint: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  endpoint,
  api_key: S.arizeKey,
  headers: { "x-team-token": S.arizeHeader },
  timeout_ms: 3_000,
  ...extra,
});

const mlflowSection = (trackingUri: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  tracking_uri: trackingUri,
  token: S.mlflowToken,
  username: S.mlflowUser,
  password: S.mlflowPassword,
  headers: { "x-team-token": S.mlflowHeader },
  timeout_ms: 3_000,
  ...extra,
});

interface Run {
  readonly name: string;
  readonly code: number | null;
  readonly output: string;
  readonly result: Record<string, unknown> | undefined;
}

async function runProcess(name: string, args: string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<Run> {
  const run = await runNode(args, { env, ...(cwd === undefined ? {} : { cwd }), timeoutMillis: 60_000 });
  if (run.code === -1) throw new Error(`${name} could not start: ${run.stderr}`);
  const output = `${run.stdout}${run.stderr}`;
  return { name, code: run.code, output, result: markedJsonLine<Record<string, unknown>>(run.stdout, "SECRETS-RESULT ") };
}

interface AppScenario {
  readonly name: string;
  readonly platform: "arize" | "mlflow";
  readonly mode: "strict" | "permissive";
  readonly section: Record<string, unknown>;
  /** Plant the credential variables too (they override the section's own credentials). */
  readonly credentialEnv: boolean;
  /** What the run must show, beyond printing no secret: that the error path was taken. */
  readonly expect: (run: Run) => void;
  /** The server whose requests prove credentials were sent. */
  readonly server?: EchoServer;
  /** More variables, e.g. an endpoint. */
  readonly env?: Readonly<Record<string, string>>;
}

function runScenario(scenario: AppScenario): Promise<Run> {
  const env = {
    ...baseEnvironment(),
    ...(scenario.credentialEnv ? CREDENTIAL_ENV : {}),
    ...scenario.env,
    SECRETS_SCENARIO: JSON.stringify({ platform: scenario.platform, mode: scenario.mode, section: scenario.section }),
  };
  return runProcess(scenario.name, [APP], env);
}

/** A temp app with the built Arize and MLflow platform packages installed (symlinked), and a config file. */
function cliApp(config: string): string {
  const root = mkdtempSync(join(tmpdir(), "llmops-secrets-cli-"));
  writeFileSync(join(root, "package.json"), JSON.stringify({ name: "secrets-cli-app", dependencies: { "@llmops/platform-arize": "*", "@llmops/platform-mlflow": "*" } }));
  mkdirSync(join(root, "node_modules", "@llmops"), { recursive: true });
  symlinkSync(join(packages, "platform-arize"), join(root, "node_modules", "@llmops", "platform-arize"), "dir");
  symlinkSync(join(packages, "platform-mlflow"), join(root, "node_modules", "@llmops", "platform-mlflow"), "dir");
  writeFileSync(join(root, "llmops.yaml"), config);
  return root;
}

const thrown = (run: Run): { message: string; inspected: string; issues?: unknown[] } | undefined => run.result?.thrown as { message: string; inspected: string; issues?: unknown[] } | undefined;
const flushError = (run: Run): string => String((run.result?.flush as { error?: string } | undefined)?.error ?? "");
const lastExportError = (run: Run): string => String((run.result?.stats as { lastExportError?: string } | undefined)?.lastExportError ?? "");

describe("no secret in any message, whatever the input", () => {
  const servers: EchoServer[] = [];
  let certificates: TestCertificates;
  const runs: Promise<Run>[] = [];
  const scenarios: AppScenario[] = [];

  beforeAll(async () => {
    certificates = generateTestCertificates();
    const start = async (params: Parameters<typeof startEchoServer>[0]): Promise<EchoServer> => {
      const server = await startEchoServer(params);
      servers.push(server);
      return server;
    };
    const [e401, e403, e500, mlflowRest401, mlflowRest500, mlflowOtlp500, mlflowRest403, tlsServer] = await Promise.all([
      start({ status: 401 }),
      start({ status: 403 }),
      start({ status: 500 }),
      start({ status: 401 }),
      start({ status: 500 }),
      start({ status: 500, mlflowLookupsSucceed: true }),
      start({ status: 403 }),
      start({ status: 200, tls: certificates }),
    ]);
    const refused = await unusedPort();
    const exportFailed = (run: Run): void => {
      expect(run.result?.active).toBe(true);
      expect((run.result?.stats as { spansFailedExport: number }).spansFailedExport).toBeGreaterThan(0);
      expect(lastExportError(run)).not.toBe("");
    };
    const threw = (name: string) => (run: Run) => expect(thrown(run)?.inspected).toContain(name);
    const inactive = (run: Run): void => {
      expect(run.result?.active).toBe(false);
      expect((run.result?.issues as unknown[]).length).toBeGreaterThan(0);
    };

    scenarios.push(
      // A URL that does not parse, in each mode, for each platform.
      {
        name: "arize unparseable endpoint, permissive",
        platform: "arize",
        mode: "permissive",
        section: arizeSection(unparseable(6006, "/v1/traces"), { space_id: S.arizeSpace }),
        credentialEnv: false,
        expect: inactive,
      },
      {
        name: "arize unparseable endpoint, strict",
        platform: "arize",
        mode: "strict",
        section: arizeSection(unparseable(6006, "/v1/traces")),
        credentialEnv: true,
        expect: threw("ConfigurationError"),
      },
      { name: "mlflow unparseable tracking_uri, permissive", platform: "mlflow", mode: "permissive", section: mlflowSection(unparseable(5000)), credentialEnv: false, expect: inactive },
      { name: "mlflow unparseable tracking_uri, strict", platform: "mlflow", mode: "strict", section: mlflowSection(unparseable(5000)), credentialEnv: true, expect: threw("ConfigurationError") },
      // The endpoint from a variable: one that does not parse, one that nothing answers.
      {
        name: "arize unparseable PHOENIX_COLLECTOR_ENDPOINT, strict",
        platform: "arize",
        mode: "strict",
        section: { api_key: S.arizeKey },
        credentialEnv: false,
        env: { PHOENIX_COLLECTOR_ENDPOINT: `http://${envUserinfo}@bad host:6006/v1/traces?${envTokenQuery}` },
        expect: threw("ConfigurationError"),
      },
      {
        name: "mlflow MLFLOW_TRACKING_URI with user info, refused, permissive",
        platform: "mlflow",
        mode: "permissive",
        section: { tracking_uri: "http://127.0.0.1:1" },
        credentialEnv: false,
        env: { MLFLOW_TRACKING_URI: `http://${envUserinfo}@127.0.0.1:${refused}` },
        expect: exportFailed,
      },
      // Servers that refuse the credentials, or fail, and echo the request back.
      { name: "phoenix 401 echo", platform: "arize", mode: "permissive", section: arizeSection(withCredentials(e401.origin, "/v1/traces")), credentialEnv: false, expect: exportFailed, server: e401 },
      {
        name: "arize AX 403 echo",
        platform: "arize",
        mode: "permissive",
        section: arizeSection(withCredentials(e403.origin, "/v1/traces"), { space_id: S.arizeSpace }),
        credentialEnv: false,
        expect: exportFailed,
        server: e403,
      },
      {
        name: "phoenix 500 echo, credentials from the environment",
        platform: "arize",
        mode: "strict",
        section: arizeSection(withCredentials(e500.origin, "/v1/traces")),
        credentialEnv: true,
        expect: exportFailed,
        server: e500,
      },
      {
        name: "mlflow REST 401 echo, strict",
        platform: "mlflow",
        mode: "strict",
        section: mlflowSection(withCredentials(mlflowRest401.origin)),
        credentialEnv: false,
        expect: threw("ExperimentResolutionError"),
        server: mlflowRest401,
      },
      {
        name: "mlflow REST 403 echo, token only, strict",
        platform: "mlflow",
        mode: "strict",
        section: { tracking_uri: mlflowRest403.origin, token: S.mlflowToken },
        credentialEnv: false,
        expect: threw("ExperimentResolutionError"),
        server: mlflowRest403,
      },
      {
        name: "mlflow REST 500 echo, permissive",
        platform: "mlflow",
        mode: "permissive",
        section: mlflowSection(withCredentials(mlflowRest500.origin)),
        credentialEnv: true,
        expect: exportFailed,
        server: mlflowRest500,
      },
      {
        name: "mlflow OTLP 500 echo",
        platform: "mlflow",
        mode: "permissive",
        section: mlflowSection(withCredentials(mlflowOtlp500.origin)),
        credentialEnv: false,
        expect: exportFailed,
        server: mlflowOtlp500,
      },
      // Nothing answers; a certificate nobody trusts.
      {
        name: "arize connection refused",
        platform: "arize",
        mode: "permissive",
        section: arizeSection(withCredentials(`http://127.0.0.1:${refused}`, "/v1/traces")),
        credentialEnv: true,
        expect: exportFailed,
      },
      {
        name: "mlflow connection refused, strict",
        platform: "mlflow",
        mode: "strict",
        section: mlflowSection(withCredentials(`http://127.0.0.1:${refused}`)),
        credentialEnv: true,
        expect: threw("ExperimentResolutionError"),
      },
      {
        name: "arize untrusted TLS certificate",
        platform: "arize",
        mode: "permissive",
        section: arizeSection(withCredentials(tlsServer.origin, "/v1/traces")),
        credentialEnv: false,
        expect: exportFailed,
      },
      {
        name: "mlflow untrusted TLS certificate, strict",
        platform: "mlflow",
        mode: "strict",
        section: mlflowSection(withCredentials(tlsServer.origin)),
        credentialEnv: false,
        expect: threw("ExperimentResolutionError"),
      },
    );
    for (const scenario of scenarios) runs.push(runScenario(scenario));
  });

  afterAll(async () => {
    await Promise.allSettled(runs);
    await Promise.all(servers.map((server) => server.close()));
    certificates?.remove();
  });

  it("plants secrets the servers really received: the test is not vacuous", async () => {
    await Promise.all(runs);
    for (const scenario of scenarios.filter((item) => item.server !== undefined)) {
      const sent = scenario.server?.received.join("\n") ?? "";
      expect({ scenario: scenario.name, sentSecrets: leaks(sent).length > 0 }).toEqual({ scenario: scenario.name, sentSecrets: true });
    }
  });

  it("prints, throws and reports no secret on any error path, at log level ALL", async () => {
    const all = await Promise.all(runs);
    const report = all.map((run, index) => {
      const scenario = scenarios[index];
      expect({ scenario: run.name, result: run.result === undefined ? run.output.slice(-3000) : "printed" }).toEqual({ scenario: run.name, result: "printed" });
      expect({ scenario: run.name, unhandled: run.result?.unhandled }).toEqual({ scenario: run.name, unhandled: [] });
      scenario?.expect(run);
      return { scenario: run.name, leaks: leaks(run.output) };
    });
    expect(report).toEqual(all.map((run) => ({ scenario: run.name, leaks: [] })));
    // The paths were taken with their messages: the warning names the failure, the quoted server text is capped.
    const byName = (name: string): Run => all.find((run) => run.name === name) as Run;
    expect(byName("phoenix 401 echo").output).toContain("[redacted]");
    expect(lastExportError(byName("phoenix 401 echo")).length).toBeLessThanOrEqual(300);
    expect(flushError(byName("mlflow OTLP 500 echo"))).toMatch(/not delivered/);
    expect(thrown(byName("mlflow REST 401 echo, strict"))?.message).toContain("HTTP 401");
    expect(thrown(byName("mlflow REST 401 echo, strict"))?.message).not.toContain("no credentials");
  });

  it("llmops validate prints no secret, for either platform, in either mode", async () => {
    const config = [
      "service:",
      "  name: secrets-cli",
      "arize:",
      `  endpoint: "${unparseable(6006, "/v1/traces")}"`,
      `  api_key: "${S.arizeKey}"`,
      `  space_id: "${S.arizeSpace}"`,
      "  headers:",
      `    x-team-token: "${S.arizeHeader}"`,
      "mlflow:",
      `  tracking_uri: "${unparseable(5000)}"`,
      `  token: "${S.mlflowToken}"`,
      `  username: "${S.mlflowUser}"`,
      `  password: "${S.mlflowPassword}"`,
      "",
    ].join("\n");
    const app = cliApp(config);
    const cliRuns = await Promise.all(
      ["arize", "mlflow"].flatMap((platform) =>
        [[], ["--strict"]].flatMap((strict) =>
          [false, true].map((credentialEnv) =>
            runProcess(
              `validate ${platform} ${strict.length > 0 ? "strict" : "permissive"}, credentials from the ${credentialEnv ? "environment" : "file"}`,
              [CLI, "validate", "--platform", platform, ...strict],
              { ...baseEnvironment(), ...(credentialEnv ? CREDENTIAL_ENV : {}) },
              app,
            ),
          ),
        ),
      ),
    );
    for (const run of cliRuns) {
      expect({ command: run.name, code: run.code }).toEqual({ command: run.name, code: 1 });
      expect(run.output).toMatch(/(endpoint|tracking_uri): must be a URL/);
    }
    expect(cliRuns.map((run) => ({ command: run.name, leaks: leaks(run.output) }))).toEqual(cliRuns.map((run) => ({ command: run.name, leaks: [] })));
  });
});
