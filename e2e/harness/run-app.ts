import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanEnvironment, lastJsonLine, runNode } from "@llmops-internal/test-support";

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
