import { copyFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { diag } from "@opentelemetry/api";
import type { DiagLogger } from "@opentelemetry/api";
import { getPlatform, LlmopsError, loadConfig, redactUrl, registerPlatform } from "@llmops/core";
import type { ManagedTracerProvider, ProviderContext, SectionOf } from "@llmops/core";
import { checkPlatform } from "@llmops/core/testing";
import { platform } from "@llmops/platform-mlflow";
import { EXPERIMENT_HEADER, explainExportError, exportHeaders } from "../src/export/create-exporter";
import { ExperimentResolutionError, ExperimentResolver } from "../src/export/experiment";
import { resolveTarget, sendsCredentialsInClear } from "../src/export/target";
import { isDatabricksUri } from "../src/config/section";
import type { MlflowSection } from "../src/config/section";
import { SEED_CONFIG_FILE, startFakeMlflow, unusedPort } from "@llmops-internal/test-support";
import type { FakeMlflow } from "@llmops-internal/test-support";

const service = { name: "svc" };

function app(files: Record<string, string> = {}): string {
  const root = mkdtempSync(join(tmpdir(), "llmops-mlflow-"));
  writeFileSync(join(root, "package.json"), JSON.stringify({ name: "mlflow-app" }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text);
  return root;
}

const section = (overrides: Partial<MlflowSection> = {}): MlflowSection => ({
  tracking_uri: "http://127.0.0.1:5000",
  insecure_tls: false,
  headers: {},
  timeout_ms: 2_000,
  batch_spans: true,
  debug: false,
  compression: "none",
  ...overrides,
});

/** The error a promise rejects with (fails the test when it resolves). */
function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error as Error,
  );
}

/** A logger that keeps what it is told. */
function recordingLogger(): DiagLogger & { warnings: string[] } {
  const warnings: string[] = [];
  const noop = (): void => {};
  return { warnings, error: noop, info: noop, debug: noop, verbose: noop, warn: (message: string) => void warnings.push(message) };
}

/** Calls the platform's createTracerProvider as core's pipeline does, with the validation mode given. */
function createProvider(mlflow: MlflowSection, mode: "strict" | "permissive", logger: DiagLogger = recordingLogger()): Promise<ManagedTracerProvider> {
  const context: ProviderContext<MlflowSection> = {
    section: mlflow,
    config: { service, instrumentation: {}, validationMode: mode, privacy: {}, section: mlflow },
    service,
    appRoot: app(),
    env: {},
    logger,
    assembleTracerProvider: async (options) => {
      const { assembleTracerProvider } = await import("../../core/src/provider/assemble");
      return assembleTracerProvider(service, options, diag.createComponentLogger({ namespace: "test" }));
    },
  };
  return platform.createTracerProvider(context);
}

let fake: FakeMlflow;
beforeEach(async () => {
  fake = await startFakeMlflow();
});
afterEach(async () => {
  await fake.close();
});

describe("@llmops/platform-mlflow", () => {
  it("keeps the platform contract", async () => {
    // The export checks need an MLflow REST API in front of the receiver: the fake and the real server's tests cover them.
    const report = await checkPlatform(platform, {
      sampleSection: { tracking_uri: fake.url, experiment_name: "conformance", token: "mlflow-conformance-token-31" },
      brokenSection: { tracking_uri: "not a uri" },
      packageDirectory: join(__dirname, ".."),
    });
    expect(report.problems).toEqual([]);
  }, 60_000);

  it('types getPlatform("mlflow") through the PlatformRegistry augmentation', async () => {
    registerPlatform(platform);
    const loaded = await getPlatform("mlflow").load();
    type Section = SectionOf<typeof loaded>;
    const sample: Section = section({ tracking_uri: "http://h:1" });
    // @ts-expect-error tracking_uri is a string: the section is typed, not unknown
    const wrong: Section = { ...sample, tracking_uri: 1 };
    expect(wrong).toBeDefined();
    expect(loaded).toBe(platform);
  });

  it("loads the seed 000 §7.1 file unchanged, every mlflow key honoured", async () => {
    const appRoot = app();
    copyFileSync(SEED_CONFIG_FILE, join(appRoot, "llmops.yaml"));
    // The seed's arize section references ARIZE_* variables; they are not set, and the mlflow platform does not care.
    const loaded = await loadConfig(platform, { appRoot, env: {} });
    expect(loaded.issues).toEqual([]);
    expect(loaded.config?.section).toEqual({
      tracking_uri: "http://localhost:5001",
      experiment_name: "my-experiment",
      insecure_tls: false,
      headers: {},
      timeout_ms: 10_000,
      batch_spans: true,
      debug: false,
      compression: "none",
    });
  });

  it("checks certificate_file as instrument() does: loadConfig reports a file that cannot be read, whatever the scheme", async () => {
    const appRoot = app({ "ca.pem": "-----BEGIN CERTIFICATE-----\n" });
    for (const tracking_uri of ["http://127.0.0.1:5000", "https://mlflow.example.com"]) {
      const missing = await loadConfig(platform, { appRoot, env: {}, config: { service, mlflow: { tracking_uri, certificate_file: "missing.pem" } } });
      expect(missing.issues).toEqual([
        {
          path: "mlflow.certificate_file",
          message: `cannot read ${join(appRoot, "missing.pem")}: it does not exist. Point it at the PEM file of the CA that signed the tracking server's certificate.`,
        },
      ]);
      const present = await loadConfig(platform, { appRoot, env: {}, config: { service, mlflow: { tracking_uri, certificate_file: "ca.pem" } } });
      expect(present.issues).toEqual([]);
    }
  });

  it("lets MLflow's environment variables override the file", async () => {
    const config = { service: { name: "s" }, mlflow: { tracking_uri: "http://file:1", experiment_name: "from-file", experiment_id: "7", token: "file-token" } };
    const loaded = await loadConfig(platform, {
      appRoot: app(),
      env: {
        MLFLOW_TRACKING_URI: "http://env:2",
        MLFLOW_EXPERIMENT_ID: "42",
        MLFLOW_EXPERIMENT_NAME: "from-env",
        MLFLOW_TRACKING_TOKEN: "env-token",
        MLFLOW_TRACKING_USERNAME: "alice",
        MLFLOW_TRACKING_PASSWORD: "pw",
        MLFLOW_WORKSPACE: "team-a",
        MLFLOW_TRACKING_INSECURE_TLS: "true",
      },
      config,
    });
    expect(loaded.issues).toEqual([]);
    expect(loaded.config?.section).toEqual(
      expect.objectContaining({
        tracking_uri: "http://env:2",
        experiment_id: "42",
        experiment_name: "from-env",
        token: "env-token",
        username: "alice",
        password: "pw",
        workspace: "team-a",
        insecure_tls: true,
      }),
    );
    const fileOnly = await loadConfig(platform, { appRoot: app(), env: {}, config });
    expect(fileOnly.config?.section).toEqual(expect.objectContaining({ tracking_uri: "http://file:1", experiment_id: "7", experiment_name: "from-file" }));
    const numeric = await loadConfig(platform, { appRoot: app(), env: {}, config: { service: { name: "s" }, mlflow: { tracking_uri: "http://h:1", experiment_id: 12 } } });
    expect(numeric.config?.section.experiment_id).toBe("12");
  });

  it("reports a missing or bad tracking_uri and half of basic auth, with the key path", async () => {
    const missing = await loadConfig(platform, { appRoot: app(), env: {}, config: { service: { name: "s" }, mlflow: { experiment_name: "e" } } });
    expect(missing.issues.map((issue) => issue.path)).toEqual(["mlflow.tracking_uri"]);
    const bad = await loadConfig(platform, { appRoot: app(), env: {}, config: { service: { name: "s" }, mlflow: { tracking_uri: "localhost:5000", timeout_ms: 0 } } });
    expect(bad.issues.map((issue) => issue.path)).toEqual(["mlflow.tracking_uri", "mlflow.timeout_ms"]);
    const half = await loadConfig(platform, { appRoot: app(), env: {}, config: { service: { name: "s" }, mlflow: { tracking_uri: "http://h:1", username: "alice" } } });
    expect(half.issues).toEqual([expect.objectContaining({ path: "mlflow.password", message: "is required with username (basic auth)" })]);
  });

  it("refuses Databricks tracking URIs with a message saying they are not supported yet", async () => {
    for (const uri of ["databricks", "databricks://my-profile", "databricks-uc", "https://dbc-1234.cloud.databricks.com", "https://adb-1.2.azuredatabricks.net"]) {
      expect(isDatabricksUri(uri)).toBe(true);
      const loaded = await loadConfig(platform, { appRoot: app(), env: {}, config: { service: { name: "s" }, mlflow: { tracking_uri: uri } } });
      expect(loaded.issues).toEqual([expect.objectContaining({ path: "mlflow.tracking_uri", message: expect.stringContaining("Databricks tracking URIs are not supported yet") })]);
    }
    expect(isDatabricksUri("http://mlflow.internal:5000")).toBe(false);
    registerPlatform(platform);
    await expect(
      getPlatform("mlflow").instrument({ appRoot: app(), config: { service: { name: "s" }, mlflow: { tracking_uri: "databricks" } }, validationMode: "strict", global: false, flushOnExit: false }),
    ).rejects.toThrow(/Databricks tracking URIs are not supported yet/);
  });

  describe("targets and auth headers", () => {
    it("bearer token, workspace and run id headers; the experiment by id over name; user headers last", () => {
      const target = resolveTarget(
        section({ tracking_uri: "http://h:5000/", token: "tok", workspace: "ws", run_id: "r1", experiment_id: "3", experiment_name: "n", headers: { "x-extra": "1" } }),
        service,
      );
      expect(target).toEqual({
        baseUrl: "http://h:5000",
        tracesUrl: "http://h:5000/v1/traces",
        headers: { authorization: "Bearer tok", "x-mlflow-workspace": "ws", "x-mlflow-run-id": "r1", "x-extra": "1" },
        experiment: { id: "3" },
        credential: "a bearer token (mlflow.token or MLFLOW_TRACKING_TOKEN)",
        description: "MLflow at http://h:5000 (experiment id 3)",
      });
    });

    it("basic auth wins over a token (MLflow's order); the experiment defaults to the service name", () => {
      const target = resolveTarget(section({ username: "alice", password: "s3cret", token: "tok" }), service);
      expect(target.headers).toEqual({ authorization: `Basic ${Buffer.from("alice:s3cret").toString("base64")}` });
      expect(target.credential).toContain("basic auth");
      expect(target.credential).not.toContain("s3cret");
      expect(target.experiment).toEqual({ name: "svc" });
    });

    it("an authorization header in mlflow.headers replaces the built one, and is named as the credential", () => {
      const target = resolveTarget(section({ token: "tok", headers: { Authorization: "Custom x" } }), service);
      expect(target.headers).toEqual({ Authorization: "Custom x" });
      expect(target.credential).toBe("the authorization header of mlflow.headers");
    });

    it("knows when credentials would travel in clear text, and keeps secrets out of URLs in messages", () => {
      expect(sendsCredentialsInClear(resolveTarget(section({ tracking_uri: "http://mlflow.example.com", token: "t" }), service))).toBe(true);
      expect(sendsCredentialsInClear(resolveTarget(section({ tracking_uri: "https://mlflow.example.com", token: "t" }), service))).toBe(false);
      expect(sendsCredentialsInClear(resolveTarget(section({ tracking_uri: "http://127.0.0.1:5000", token: "t" }), service))).toBe(false);
      expect(sendsCredentialsInClear(resolveTarget(section({ tracking_uri: "http://mlflow.example.com" }), service))).toBe(false);
      expect(redactUrl("https://user:secret@host:1/mlflow?token=abc")).toBe("https://host:1/mlflow");
    });
  });

  describe("experiment resolution against a fake tracking server", () => {
    it("creates the experiment by name when absent, with the auth headers, then reuses it", async () => {
      const target = resolveTarget(section({ tracking_uri: fake.url, experiment_name: "fresh", token: "tok-1", workspace: "ws" }), service);
      const id = await new ExperimentResolver(target, 2_000).resolve();
      expect(fake.experiments.get("fresh")?.id).toBe(id);
      expect(fake.requests.map((request) => `${request.method} ${request.path}`)).toEqual(["GET /api/2.0/mlflow/experiments/get-by-name", "POST /api/2.0/mlflow/experiments/create"]);
      for (const request of fake.requests) expect(request.headers).toEqual(expect.objectContaining({ authorization: "Bearer tok-1", "x-mlflow-workspace": "ws" }));
      fake.requests.length = 0;
      expect(await new ExperimentResolver(target, 2_000).resolve()).toBe(id);
      expect(fake.requests.map((request) => request.path)).toEqual(["/api/2.0/mlflow/experiments/get-by-name"]);
    });

    it("resolves the already-exists race by reading the experiment again", async () => {
      fake.raceOnCreate = true;
      const id = await new ExperimentResolver(resolveTarget(section({ tracking_uri: fake.url, experiment_name: "raced" }), service), 2_000).resolve();
      expect(id).toBe(fake.experiments.get("raced")?.id);
      expect(fake.requests.map((request) => request.path)).toEqual(["/api/2.0/mlflow/experiments/get-by-name", "/api/2.0/mlflow/experiments/create", "/api/2.0/mlflow/experiments/get-by-name"]);
    });

    it("two resolvers racing for one new name end on the same experiment", async () => {
      const target = resolveTarget(section({ tracking_uri: fake.url, experiment_name: "shared" }), service);
      const ids = await Promise.all([new ExperimentResolver(target, 2_000).resolve(), new ExperimentResolver(target, 2_000).resolve()]);
      expect(ids[0]).toBe(ids[1]);
      expect(fake.experiments.size).toBe(1);
    });

    it("by id: checks it exists; a missing or deleted experiment is a clear error", async () => {
      fake.experiments.set("existing", { id: "9", deleted: false });
      fake.experiments.set("gone", { id: "10", deleted: true });
      expect(await new ExperimentResolver(resolveTarget(section({ tracking_uri: fake.url, experiment_id: "9" }), service), 2_000).resolve()).toBe("9");
      expect(fake.requests.map((request) => request.path)).toEqual(["/api/2.0/mlflow/experiments/get"]);
      await expect(new ExperimentResolver(resolveTarget(section({ tracking_uri: fake.url, experiment_id: "404" }), service), 2_000).resolve()).rejects.toThrow(
        `MLflow at ${fake.url} has no experiment with id 404 (HTTP 404)`,
      );
      await expect(new ExperimentResolver(resolveTarget(section({ tracking_uri: fake.url, experiment_name: "gone" }), service), 2_000).resolve()).rejects.toThrow(/is deleted/);
    });

    it("a failed resolution is an ExperimentResolutionError that isInstance recognises, across copies of the package", async () => {
      const error = await failure(new ExperimentResolver(resolveTarget(section({ tracking_uri: fake.url, experiment_id: "404" }), service), 2_000).resolve());
      expect(ExperimentResolutionError.isInstance(error)).toBe(true);
      expect(LlmopsError.isInstance(error)).toBe(true);
      expect((error as ExperimentResolutionError).status).toBe(404);
      expect(ExperimentResolutionError.isInstance(new LlmopsError("another kind"))).toBe(false);
      let other: typeof import("../src/export/experiment") | undefined;
      jest.isolateModules(() => {
        other = jest.requireActual<typeof import("../src/export/experiment")>("../src/export/experiment");
      });
      expect(other!.ExperimentResolutionError).not.toBe(ExperimentResolutionError);
      expect(other!.ExperimentResolutionError.isInstance(error)).toBe(true);
    });

    it("401/403 names the credential kind, never its value", async () => {
      fake.forceStatus = 401;
      const bearer = new ExperimentResolver(resolveTarget(section({ tracking_uri: fake.url, token: "super-secret-token" }), service), 2_000);
      const error = await failure(bearer.resolve());
      expect(error.message).toContain(`MLflow at ${fake.url} refused GET /api/2.0/mlflow/experiments/get-by-name with HTTP 401 (Unauthorized)`);
      expect(error.message).toContain("a bearer token (mlflow.token or MLFLOW_TRACKING_TOKEN)");
      expect(error.message).not.toContain("super-secret-token");
      fake.forceStatus = 403;
      const basic = await failure(new ExperimentResolver(resolveTarget(section({ tracking_uri: fake.url, username: "alice", password: "pw-123" }), service), 2_000).resolve());
      expect(basic.message).toMatch(/HTTP 403 \(Forbidden\).*basic auth/);
      expect(basic.message).not.toContain("pw-123");
      const none = await failure(new ExperimentResolver(resolveTarget(section({ tracking_uri: fake.url }), service), 2_000).resolve());
      expect(none.message).toContain("carried no credentials");
    });

    it('a tracking_uri with user info sends it as basic auth, and a 401 says so rather than "no credentials"', async () => {
      fake.forceStatus = 401;
      const withUserinfo = fake.url.replace("http://", "http://carol:pw-in-url-77@");
      const target = resolveTarget(section({ tracking_uri: withUserinfo }), service);
      expect(target.credential).toBe("basic auth from the user info of mlflow.tracking_uri");
      const error = await failure(new ExperimentResolver(target, 2_000).resolve());
      expect(fake.requests[0]?.headers.authorization).toBe(`Basic ${Buffer.from("carol:pw-in-url-77").toString("base64")}`);
      expect(error.message).not.toContain("no credentials");
      expect(error.message).toContain("basic auth from the user info of mlflow.tracking_uri");
      expect(error.message).not.toContain("pw-in-url-77");
      expect(sendsCredentialsInClear(resolveTarget(section({ tracking_uri: "http://carol:pw@mlflow.example.com" }), service))).toBe(true);
      expect(sendsCredentialsInClear(resolveTarget(section({ tracking_uri: "http://127.evil.example:5000", token: "t" }), service))).toBe(true);
    });

    it("strict mode fails fast naming the URI and the HTTP status, or the network error", async () => {
      fake.forceStatus = 500;
      await expect(createProvider(section({ tracking_uri: fake.url, experiment_name: "e" }), "strict")).rejects.toThrow(
        `MLflow at ${fake.url} answered HTTP 500 to GET /api/2.0/mlflow/experiments/get-by-name: forced 500`,
      );
      const down = `http://127.0.0.1:${await unusedPort()}`;
      await expect(createProvider(section({ tracking_uri: down, experiment_name: "e" }), "strict")).rejects.toThrow(
        new RegExp(`Cannot reach the MLflow tracking server at ${down.replace(/\./g, "\\.")} .*ECONNREFUSED`),
      );
    });

    it("permissive mode with the server down: a provider, one warning, and the experiment resolved when the server comes back", async () => {
      const port = await unusedPort();
      const logger = recordingLogger();
      const down = section({ tracking_uri: `http://127.0.0.1:${port}`, experiment_name: "later" });
      const provider = await createProvider(down, "permissive", logger);
      expect(typeof provider.getTracer).toBe("function");
      expect(logger.warnings).toHaveLength(1);
      expect(logger.warnings[0]).toContain(`Cannot reach the MLflow tracking server at http://127.0.0.1:${port}`);
      expect(logger.warnings[0]).toContain("resolved again at each export");
      await provider.shutdown().catch(() => undefined);

      // The exporter's headers factory: fails while the server is down (the export is counted as dropped), then
      // resolves the experiment once it is up.
      const target = resolveTarget(down, service);
      const headers = exportHeaders(target, new ExperimentResolver(target, 2_000));
      await expect(headers()).rejects.toThrow(/the MLflow experiment is not resolved yet: Cannot reach/);
      const revived = await startFakeMlflow(port);
      try {
        const sent = await headers();
        expect(sent[EXPERIMENT_HEADER]).toBe(revived.experiments.get("later")?.id);
        expect(await headers()).toEqual(sent);
        expect(revived.requests).toHaveLength(2); // get-by-name + create, then cached
      } finally {
        await revived.close();
      }
    });

    it("times out a server that does not answer, naming mlflow.timeout_ms", async () => {
      const { createServer } = await import("node:net");
      const silent = createServer(() => {});
      await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", () => resolve()));
      const port = (silent.address() as { port: number }).port;
      try {
        await expect(new ExperimentResolver(resolveTarget(section({ tracking_uri: `http://127.0.0.1:${port}` }), service), 300).resolve()).rejects.toThrow(
          /did not resolve the experiment within mlflow\.timeout_ms \(300 ms\)/,
        );
      } finally {
        silent.close();
      }
    });
  });

  describe("network bounds: a misbehaving tracking server cannot hold instrument() or fill memory", () => {
    /** Well above the deadline, far below "forever": a bound, not a timing. */
    const GENEROUS_MILLIS = 10_000;

    it("a server trickling its answer one byte every 500 ms: the lookup ends by mlflow.timeout_ms, in strict and permissive mode", async () => {
      fake.misbehave = "trickle";
      const mlflow = section({ tracking_uri: fake.url, experiment_name: "slow", timeout_ms: 1_500 });
      let started = Date.now();
      const error = await failure(createProvider(mlflow, "strict"));
      expect(Date.now() - started).toBeLessThan(GENEROUS_MILLIS);
      expect(error.message).toContain(`The MLflow tracking server at ${fake.url} did not resolve the experiment within mlflow.timeout_ms (1500 ms)`);
      expect(error.message).toContain("GET /api/2.0/mlflow/experiments/get-by-name got no complete answer in time");

      const logger = recordingLogger();
      started = Date.now();
      const provider = await createProvider(mlflow, "permissive", logger);
      expect(Date.now() - started).toBeLessThan(GENEROUS_MILLIS);
      expect(logger.warnings).toEqual([expect.stringContaining("did not resolve the experiment within mlflow.timeout_ms")]);
      await provider.shutdown().catch(() => undefined);
    });

    it("a create that trickles after a quick lookup also ends by the deadline", async () => {
      // get-by-name answers at once (absent), then the create trickles: it gets what is left of the one deadline.
      const resolver = new ExperimentResolver(resolveTarget(section({ tracking_uri: fake.url, experiment_name: "fresh" }), service), 1_500);
      const original = fake.requests.push.bind(fake.requests);
      fake.requests.push = (...entries) => {
        if (entries.some((entry) => entry.method === "POST")) fake.misbehave = "trickle";
        return original(...entries);
      };
      const started = Date.now();
      const error = await failure(resolver.resolve());
      expect(error.message).toContain("POST /api/2.0/mlflow/experiments/create got no complete answer in time");
      expect(Date.now() - started).toBeLessThan(GENEROUS_MILLIS);
    });

    it("an endless answer: memory stays under a cap and the lookup fails saying the answer was too large", async () => {
      fake.misbehave = "endless";
      const before = process.memoryUsage().rss;
      const error = await failure(new ExperimentResolver(resolveTarget(section({ tracking_uri: fake.url, experiment_name: "huge" }), service), 60_000).resolve());
      const growth = process.memoryUsage().rss - before;
      expect(error.message).toContain(`The MLflow tracking server at ${fake.url} sent an oversized answer to GET /api/2.0/mlflow/experiments/get-by-name (over 1048576 bytes)`);
      expect(growth).toBeLessThan(64 * 1024 * 1024);
    });
  });

  it("explains export errors by the setting to check, without secrets", () => {
    const target = resolveTarget(section({ token: "tok-secret" }), service);
    expect(explainExportError(new Error("connect ECONNREFUSED 127.0.0.1:5000"), section(), target)).toContain("mlflow.tracking_uri");
    const auth = explainExportError(Object.assign(new Error("Unauthorized"), { code: 401 }), section(), target);
    expect(auth).toContain("bearer token");
    expect(auth).not.toContain("tok-secret");
    expect(explainExportError(new Error("self-signed certificate"), section({ certificate_file: "ca.pem" }), target)).toContain("mlflow.certificate_file");
    expect(explainExportError(new Error("something else"), section(), target)).toBeUndefined();
  });
});
