/**
 * What the Phoenix and MLflow launchers share: a private temporary folder, a server process
 * in its own process group whose output is kept (bounded) for error messages, readiness polling that fails fast
 * when the process dies, and a stop that takes the whole group down.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanEnvironment } from "@llmops-internal/test-support";

export const LOOPBACK = "127.0.0.1";

/** How long a server may take to become ready (a cold Phoenix start runs its DB migrations: ~10-20 s here). */
export const START_TIMEOUT_MS = numberFromEnv("LLMOPS_E2E_START_TIMEOUT_MS", 180_000);

export function numberFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** A fresh private folder under the OS temp dir. */
export function temporaryDirectory(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `llmops-e2e-${prefix}-`));
}

/**
 * The inherited environment minus anything that would point the server elsewhere or change its behaviour
 * (`cleanEnvironment`: a developer's own PHOENIX_*, MLFLOW_*, OTEL_* settings; an active virtualenv, PYTHONPATH).
 */
export function cleanServerEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = cleanEnvironment();
  for (const key of ["PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "CONDA_PREFIX"]) delete env[key];
  return { ...env, PYTHONUNBUFFERED: "1", NO_COLOR: "1", ...extra };
}

/** Keeps the last `limit` characters of a process's output (the start of Phoenix's log alone is ~100 kB of SQL). */
class LogBuffer {
  private text = "";
  private dropped = 0;

  constructor(private readonly limit = 512 * 1024) {}

  append(chunk: string): void {
    this.text += chunk;
    if (this.text.length > this.limit) {
      const cut = this.text.length - this.limit;
      this.dropped += cut;
      this.text = this.text.slice(cut);
    }
  }

  toString(): string {
    return this.dropped > 0 ? `[... ${this.dropped} earlier characters dropped ...]\n${this.text}` : this.text;
  }
}

/**
 * Every server started by this process, killed (synchronously) if the process exits or is interrupted without
 * stopping them; their temporary folders are removed then too.
 */
const running = new Set<ChildProcess>();
const folders = new Set<string>();
let exitHookInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

export interface ServerProcess {
  child: ChildProcess;
  logs(): string;
  /** Resolves when the process has exited (immediately if it already has). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited(): boolean;
  /** SIGTERM to the process group, SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts `command` in its own process group, in `cwd` (a temporary folder, removed if the process exits without stop()). */
export function startServerProcess(command: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv }): ServerProcess {
  const log = new LogBuffer();
  log.append(`$ ${command} ${args.join(" ")}\n`);
  // detached: the server (and anything it forks: uvicorn workers, gunicorn, the MLflow job runner) gets its own
  // process group, so stop() reaches all of it with one signal.
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  folders.add(options.cwd);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    const killAll = (): void => {
      for (const server of running) killGroup(server, "SIGKILL");
      for (const folder of folders) rmSync(folder, { recursive: true, force: true });
    };
    process.once("exit", killAll);
    // The servers have their own process group, so a Ctrl-C or a SIGTERM from the test runner does not reach them:
    // kill them, then let the signal do what it would have done (unless someone else handles it).
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
      process.once(signal, () => {
        killAll();
        if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
      });
    }
  }
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => log.append(chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => log.append(chunk));
  let exitState: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("error", (error) => {
      log.append(`\n[e2e] could not start ${command}: ${error.message}\n`);
      exitState = { code: null, signal: null };
      running.delete(child);
      resolve(exitState);
    });
    child.once("exit", (code, signal) => {
      exitState = { code, signal };
      running.delete(child);
      log.append(`\n[e2e] process exited (${code ?? signal})\n`);
      resolve(exitState);
    });
  });

  return {
    child,
    logs: () => log.toString(),
    exited,
    hasExited: () => exitState !== undefined,
    async stop(graceMs = 10_000) {
      if (exitState !== undefined) {
        // The leader is gone; children it left behind in the group are not.
        killGroup(child, "SIGKILL");
        return;
      }
      killGroup(child, "SIGTERM");
      const timer = setTimeout(() => killGroup(child, "SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
      killGroup(child, "SIGKILL"); // stragglers in the group, if any
    },
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** One HTTP GET with a timeout; resolves with the status (0 when no answer). */
async function probe(url: string, timeoutMs: number): Promise<number> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}

export class ServerStartError extends Error {
  constructor(
    message: string,
    readonly addressInUse: boolean,
  ) {
    super(message);
    this.name = "ServerStartError";
  }
}

const ADDRESS_IN_USE = /address already in use|Errno 98|EADDRINUSE|Failed to bind/i;

/**
 * Polls `url` until it answers 200. Throws a ServerStartError carrying the server's log when the process exits
 * first or `timeoutMs` passes.
 */
export async function waitUntilReady(server: ServerProcess, url: string, label: string, timeoutMs = START_TIMEOUT_MS): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (server.hasExited()) {
      const logs = server.logs();
      throw new ServerStartError(`e2e: ${label} exited before it was ready (polling ${url}). Its log:\n${logs}`, ADDRESS_IN_USE.test(logs));
    }
    const status = await probe(url, 2_000);
    if (status === 200) return Date.now() - started;
    if (Date.now() - started > timeoutMs) {
      throw new ServerStartError(`e2e: ${label} was not ready after ${Math.round(timeoutMs / 1000)} s (polling ${url}, last status ${status || "no answer"}). Its log:\n${server.logs()}`, false);
    }
    await sleep(250);
  }
}

/** Runs `attempt` up to `times` times while it fails with "address already in use" (a port taken after freePorts). */
export async function retryOnPortClash<T>(attempt: () => Promise<T>, times = 3): Promise<T> {
  for (let tried = 1; ; tried++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ServerStartError && error.addressInUse) || tried >= times) throw error;
    }
  }
}

/** Removes a folder, retrying briefly: a server that just exited may still be closing files in it. */
export async function removeDirectory(directory: string): Promise<void> {
  for (let tried = 0; ; tried++) {
    try {
      rmSync(directory, { recursive: true, force: true, maxRetries: 3 });
      folders.delete(directory);
      return;
    } catch (error) {
      if (tried >= 5) throw error;
      await sleep(200);
    }
  }
}

/** Fetches JSON, throwing with the method, URL, status and body when the answer is not 2xx. */
export async function fetchJson<T>(url: string, init: RequestInit & { timeoutMs?: number } = {}): Promise<{ status: number; body: T }> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(init.timeoutMs ?? 15_000) });
  const text = await response.text();
  if (!response.ok) {
    const error = new Error(`e2e: ${init.method ?? "GET"} ${url} answered ${response.status}: ${text.slice(0, 2_000)}`) as Error & { status?: number };
    error.status = response.status;
    throw error;
  }
  try {
    return { status: response.status, body: (text === "" ? {} : JSON.parse(text)) as T };
  } catch {
    throw new Error(`e2e: ${init.method ?? "GET"} ${url} answered ${response.status} with no JSON: ${text.slice(0, 2_000)}`);
  }
}

export { sleep };
