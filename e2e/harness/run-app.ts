import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

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
export function runProvidersApp(
  platform: "arize" | "mlflow",
  config: Record<string, unknown>,
  extraEnv: Record<string, string> = {},
  options: { zeroCode?: boolean } = {},
): Promise<ProvidersAppResult & { stderr: string }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(LLMOPS_|OTEL_|ARIZE_|PHOENIX_|MLFLOW_|NODE_OPTIONS$|NODE_PATH$)/.test(key)) env[key] = value;
  }
  Object.assign(env, { LLMOPS_E2E_PLATFORM: platform, LLMOPS_E2E_CONFIG: JSON.stringify(config) }, extraEnv);
  const args = [join(__dirname, "..", "apps", "providers-app.mjs")];
  if (options.zeroCode === true) {
    // As a user starts it: the platform's register entry on the command line, the config in a file.
    const configFile = join(mkdtempSync(join(tmpdir(), "llmops-e2e-")), "llmops.json");
    writeFileSync(configFile, JSON.stringify(config));
    Object.assign(env, { LLMOPS_E2E_ZERO_CODE: "1", LLMOPS_CONFIG_PATH: configFile, LLMOPS_VALIDATION_MODE: "strict" });
    args.unshift("--import", `@llmops/platform-${platform}/register`);
  }
  return new Promise((resolve, reject) => {
    // The e2e package's folder: where `--import @llmops/platform-<name>/register` resolves, as in a user's app.
    const child = spawn(process.execPath, args, { cwd: join(__dirname, ".."), env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const line = stdout.trim().split("\n").pop() ?? "";
      try {
        if (code !== 0) throw new Error(`exit ${code}`);
        resolve({ ...(JSON.parse(line) as ProvidersAppResult), stderr });
      } catch (error) {
        reject(new Error(`providers app failed (${(error as Error).message})\nstdout: ${stdout}\nstderr: ${stderr}`));
      }
    });
  });
}
