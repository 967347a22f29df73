import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanEnvironment, lastJsonLine, runNode, SEED_CONFIG_FILE } from "@llmops-internal/test-support";

/** What `apps/providers-app.mjs` prints. */
export interface ProvidersAppResult {
  active: boolean;
  issues: unknown[];
  instrumentations: Array<{ key: string; status: string; patchedModule: boolean }>;
  shutdown: { ok: boolean; timedOut: boolean; error?: string };
  done: string[];
  requests: { chat: number; embeddings: number; anthropic: number };
}

/**
 * Runs the providers app in its own Node process, as a user's app runs (jest cannot host the OTLP exporter: it
 * loads `http` with a dynamic import). Its environment keeps nothing of llmops or OpenTelemetry from this process.
 */
export async function runProvidersApp(
  platform: "arize" | "mlflow",
  config: Record<string, unknown>,
  extraEnv: Record<string, string> = {},
  options: { zeroCode?: boolean } = {},
): Promise<ProvidersAppResult & { stderr: string }> {
  const env = cleanEnvironment();
  Object.assign(env, { LLMOPS_E2E_PLATFORM: platform, LLMOPS_E2E_CONFIG: JSON.stringify(config) }, extraEnv);
  const args = [join(__dirname, "..", "apps", "providers-app.mjs")];
  if (options.zeroCode === true) {
    // As a user starts it: the platform's register entry on the command line, the config in a file.
    const configFile = join(mkdtempSync(join(tmpdir(), "llmops-e2e-")), "llmops.json");
    writeFileSync(configFile, JSON.stringify(config));
    Object.assign(env, { LLMOPS_E2E_ZERO_CODE: "1", LLMOPS_CONFIG_PATH: configFile, LLMOPS_VALIDATION_MODE: "strict" });
    args.unshift("--import", `@llmops/platform-${platform}/register`);
  }
  // The e2e package's folder: where `--import @llmops/platform-<name>/register` resolves, as in a user's app.
  const { code, stdout, stderr } = await runNode(args, { cwd: join(__dirname, ".."), env });
  const result = code === 0 ? lastJsonLine<ProvidersAppResult>(stdout) : undefined;
  if (result === undefined) throw new Error(`providers app failed (${code === 0 ? "no JSON result" : `exit ${code}`})\nstdout: ${stdout}\nstderr: ${stderr}`);
  return { ...result, stderr };
}

/** What `apps/agent-app.mjs` prints. */
export interface AgentAppResult {
  active: boolean;
  issues: unknown[];
  shutdown: { ok: boolean; timedOut: boolean; error?: string };
  answer: string;
  agentSpanRecording: boolean;
  sessionId: string;
  userId: string;
  chatRequests: number;
}

/**
 * Runs the agent app (trace() agent → trace() tool and the real openai client, inside withSession/withUser) in its
 * own Node process with the given session and user ids.
 */
export async function runAgentApp(platform: "arize" | "mlflow", config: Record<string, unknown>, ids: { session: string; user: string }): Promise<AgentAppResult & { stderr: string }> {
  const env = cleanEnvironment();
  Object.assign(env, { LLMOPS_E2E_PLATFORM: platform, LLMOPS_E2E_CONFIG: JSON.stringify(config), LLMOPS_E2E_SESSION: ids.session, LLMOPS_E2E_USER: ids.user });
  const { code, stdout, stderr } = await runNode([join(__dirname, "..", "apps", "agent-app.mjs")], { cwd: join(__dirname, ".."), env });
  const result = code === 0 ? lastJsonLine<AgentAppResult>(stdout) : undefined;
  if (result === undefined) throw new Error(`agent app failed (${code === 0 ? "no JSON result" : `exit ${code}`})\nstdout: ${stdout}\nstderr: ${stderr}`);
  return { ...result, stderr };
}

/** What `apps/adk-app.mjs` prints. */
export interface AdkAppResult {
  active: boolean;
  issues: unknown[];
  instrumentations: Array<{ key: string; status: string; patchedModule: boolean }>;
  shutdown: { ok: boolean; timedOut: boolean; error?: string };
  plain: { answer: string; sessionId: string };
  streamed: { answer: string; sessionId: string };
  requests: number;
}

/**
 * Runs the Google ADK app in its own Node process, in a fresh app folder holding the seed's config file (seed 000 §7.1)
 * as `llmops.yaml`, unchanged but for the endpoints and the keys listed in `withoutKeys`, and the CA file it names.
 */
export async function runAdkApp(
  platform: "arize" | "mlflow",
  endpoints: { arize?: string; mlflow?: string },
  withoutKeys: readonly string[] = [],
  extraEnv: Record<string, string> = {},
): Promise<AdkAppResult & { stderr: string; config: string }> {
  const appRoot = mkdtempSync(join(tmpdir(), "llmops-e2e-adk-"));
  let config = readFileSync(SEED_CONFIG_FILE, "utf8");
  if (endpoints.arize !== undefined) config = config.replace("http://localhost:6006/v1/traces", endpoints.arize);
  if (endpoints.mlflow !== undefined) config = config.replace("http://localhost:5001", endpoints.mlflow);
  for (const key of withoutKeys) config = config.replace(new RegExp(`^\\s*${key}:.*\\n`, "m"), "");
  writeFileSync(join(appRoot, "llmops.yaml"), config);
  mkdirSync(join(appRoot, "certs"));
  writeFileSync(join(appRoot, "certs", "ca.pem"), "-----BEGIN CERTIFICATE-----\n");
  // The platforms are found among the app's dependencies, resolved from its folder: e2e's own node_modules.
  writeFileSync(join(appRoot, "package.json"), JSON.stringify({ name: "adk-e2e-app", private: true, dependencies: { "@llmops/platform-arize": "*", "@llmops/platform-mlflow": "*" } }));
  symlinkSync(join(__dirname, "..", "node_modules"), join(appRoot, "node_modules"), "dir");
  const env = cleanEnvironment();
  Object.assign(env, { LLMOPS_E2E_PLATFORM: platform }, extraEnv);
  // As an ES module app must start to have the modules it imports patched (ADK's own @google/genai among them).
  const { code, stdout, stderr } = await runNode(["--import", `@llmops/platform-${platform}/register`, join(__dirname, "..", "apps", "adk-app.mjs")], { cwd: appRoot, env });
  const result = code === 0 ? lastJsonLine<AdkAppResult>(stdout) : undefined;
  if (result === undefined) throw new Error(`ADK app failed (${code === 0 ? "no JSON result" : `exit ${code}`})\nstdout: ${stdout}\nstderr: ${stderr}`);
  return { ...result, stderr, config };
}
