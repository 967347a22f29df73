import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runNode } from "@llmops-internal/test-support";
import { startFaultServer } from "./support/fault-server";
import type { FaultServer } from "./support/fault-server";

/**
 * Zero-code start against a tracking server that trickles its answers (one byte every 500 ms, never ending), with the
 * built MLflow platform: `node --import @llmops/platform-mlflow/register` resolves the experiment before the app loads,
 * so a lookup without an overall deadline would keep the app from ever starting. It must start once
 * `mlflow.timeout_ms` has passed, with one warning naming the setting.
 */
const REGISTER = join(__dirname, "..", "..", "packages", "platform-mlflow", "register.mjs");
/** Far above the 1.5 s deadline, far below "never": a bound, not a timing. */
const GENEROUS_MILLIS = 15_000;

jest.setTimeout(60_000);

let server: FaultServer;
beforeAll(async () => {
  server = await startFaultServer({ plan: () => ({ kind: "trickle" }) });
});
afterAll(async () => {
  await server.close();
});

it("an app started with --import @llmops/platform-mlflow/register starts within mlflow.timeout_ms when the server trickles", async () => {
  const app = mkdtempSync(join(tmpdir(), "llmops-trickle-"));
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "trickle-app", private: true, type: "module" }));
  writeFileSync(join(app, "llmops.yaml"), `service:\n  name: trickle-app\nmlflow:\n  tracking_uri: ${server.url}\n  experiment_name: slow\n  timeout_ms: 1500\n`);
  writeFileSync(join(app, "app.mjs"), `console.log("APP STARTED");\n`);
  const started = Date.now();
  // Killed if still running long after the bound: the test then fails on the signal, not on jest's timeout.
  const run = await runNode(["--import", REGISTER, "app.mjs"], { cwd: app, timeoutMillis: 40_000 });
  expect({ code: run.code, signal: run.signal, stdout: run.stdout }).toEqual({ code: 0, signal: null, stdout: "APP STARTED\n" });
  expect(Date.now() - started).toBeLessThan(GENEROUS_MILLIS);
  expect(run.stderr).toContain(`The MLflow tracking server at ${server.url} did not resolve the experiment within mlflow.timeout_ms (1500 ms)`);
  expect(server.handled.length).toBeGreaterThan(0);
});
