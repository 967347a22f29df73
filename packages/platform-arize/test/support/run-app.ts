import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { join, resolve } from "node:path";
import type { FlushResult } from "@llmops/core";
import { cleanEnvironment } from "@llmops-internal/test-support";

/** One thing the app does after `instrument()`, in order: end spans, then a parent and child, then flush if asked. */
export interface AppStep {
  /** Span names to start and end (each with `test.span`, `test.number: 42`, `test.flag: true`). */
  readonly emit?: readonly string[];
  /** A parent span and a child span inside it, both ended. */
  readonly nested?: readonly [parent: string, child: string];
  /** `await handle.forceFlush()`. */
  readonly flush?: boolean;
}

/** What the app runs. */
export interface AppScenario {
  readonly appRoot: string;
  /** The inline config (`instrument({ config })`). */
  readonly config: Record<string, unknown>;
  /** `instrument({ env })`: the only environment the pipeline reads. */
  readonly env: Record<string, string>;
  readonly validationMode: "strict" | "permissive";
  readonly steps: readonly AppStep[];
}

/** What the app saw. */
export interface AppResult {
  /** Every diag message, as `<level> <component> <message>` (core's `captureDiag`). */
  logs: string[];
  /** `handle.active`, when `instrument()` returned. */
  active?: boolean;
  /** What `instrument()` threw, if it threw. */
  threw?: { name: string; message: string; missingDependency: boolean; packageName?: string; installCommand?: string };
  /** One result per flush step. */
  flushes: FlushResult[];
  /** True when a `forceFlush()` rejected (it must not). */
  flushRejected?: boolean;
  /** `handle.shutdown()`, when `instrument()` returned. */
  shutdown?: FlushResult;
  /** Uncaught exceptions and unhandled rejections in the app process while the scenario ran (there must be none). */
  uncaught: string[];
}

/** A running app process. */
export interface AppProcess {
  /** Runs a scenario (one at a time) and resolves with what the app saw. */
  run(scenario: AppScenario, timeoutMillis?: number): Promise<AppResult>;
  /** Ends the process. */
  stop(): Promise<void>;
}

const WORKSPACE = resolve(__dirname, "..", "..", "..", "..");
const RUNNER = join(__dirname, "app-process.ts");

/**
 * Starts the app process (`app-process.ts`) on the Node running the tests, with ts-node compiling the TypeScript
 * sources to CommonJS, in a clean environment (`cleanEnvironment`: the OpenTelemetry SDK reads `process.env` itself)
 * that trusts none of the machine's extra certificate authorities.
 */
export async function startAppProcess(): Promise<AppProcess> {
  // ts-node's CommonJS hook, told that the workspace's `.ts` files are CommonJS although their packages say "type": "module".
  const bootstrap = [
    `require(${JSON.stringify(require.resolve("ts-node"))}).register({`,
    `  transpileOnly: true,`,
    `  project: ${JSON.stringify(join(WORKSPACE, "tsconfig.json"))},`,
    `  moduleTypes: { ${JSON.stringify(`${WORKSPACE}/packages/**/*.ts`)}: "cjs", ${JSON.stringify(`${WORKSPACE}/test/support/**/*.ts`)}: "cjs" },`,
    `});`,
    `require(${JSON.stringify(RUNNER)});`,
  ].join("\n");
  const child: ChildProcess = spawn(process.execPath, ["-e", bootstrap], {
    cwd: WORKSPACE,
    // The test decides which certificates are trusted: none of the machine's extra authorities.
    env: cleanEnvironment({}, { machineTrust: false }),
    stdio: ["ignore", "ignore", "pipe", "ipc"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolveExit) => child.once("exit", () => resolveExit()));

  await new Promise<void>((resolveReady, reject) => {
    const timer = setTimeout(() => reject(new Error(`The app process did not start within 30 s.\n${stderr}`)), 30_000);
    child.once("message", () => {
      clearTimeout(timer);
      resolveReady();
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`The app process exited with ${String(code)} before it was ready.\n${stderr}`));
    });
  });

  let nextId = 0;
  return {
    run: (scenario, timeoutMillis = 25_000) =>
      new Promise<AppResult>((resolveRun, reject) => {
        const id = ++nextId;
        const onMessage = (message: { id?: number; result?: AppResult; error?: string }): void => {
          if (message.id !== id) return;
          done();
          if (message.result !== undefined) resolveRun(message.result);
          else reject(new Error(`The app failed: ${message.error ?? "no reason given"}\n${stderr}`));
        };
        const onExit = (code: number | null): void => {
          done();
          reject(new Error(`The app process exited with ${String(code)} during a scenario.\n${stderr}`));
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`The app did not finish the scenario within ${timeoutMillis} ms.\n${stderr}`));
        }, timeoutMillis);
        const done = (): void => {
          clearTimeout(timer);
          child.off("message", onMessage);
          child.off("exit", onExit);
        };
        child.on("message", onMessage);
        child.on("exit", onExit);
        child.send({ id, scenario });
      }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.disconnect();
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}
