import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { cleanEnvironment } from "./environment.cjs";

/** What a child process did. */
export interface ProcessRun {
  /** Exit code; null when a signal ended it; -1 when it could not be started. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  /** stderr, plus a last line saying so when the child was killed for running too long or could not start. */
  readonly stderr: string;
  /** True when it ran past `timeoutMillis` and was killed. */
  readonly killed: boolean;
  /** From the start to the exit. */
  readonly millis: number;
}

/** How {@link runProcess} runs a child. */
export interface RunProcessOptions {
  /** Working directory; default this process's. */
  readonly cwd?: string;
  /** The child's whole environment; default {@link cleanEnvironment}(). */
  readonly env?: NodeJS.ProcessEnv;
  /** Killed (SIGKILL) after this long, so a hang fails the test instead of holding the run. Default 10 minutes. */
  readonly timeoutMillis?: number;
  /** Written to the child's stdin, which is then closed; without it (and without `openStdin`) stdin is ignored. */
  readonly input?: string;
  /** Leaves stdin open for `onLine` to answer the child (`child.stdin.write`). */
  readonly openStdin?: boolean;
  /** Sees each complete line the child prints, stdout and stderr alike, as it comes (and may signal the child). */
  readonly onLine?: (line: string, child: ChildProcess) => void;
  /**
   * Starts the child in a process group of its own, and kills that whole group (SIGKILL) when the child has exited or
   * ran too long: a server that forks its own workers (`next dev`) leaves none behind. Signals sent through `onLine`'s
   * `child` still reach the child alone.
   */
  readonly processGroup?: boolean;
}

/**
 * Runs `command args` and resolves once it has exited and its output is read. Never rejects: a child that cannot
 * start resolves with code -1 and the reason in `stderr`.
 *
 * @example
 * ```ts
 * const run = await runProcess("pnpm", ["pack"], { cwd: packageDirectory });
 * ```
 */
export function runProcess(command: string, args: readonly string[], options: RunProcessOptions = {}): Promise<ProcessRun> {
  const started = Date.now();
  const timeoutMillis = options.timeoutMillis ?? 600_000;
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? cleanEnvironment(),
      stdio: [options.input === undefined && options.openStdin !== true ? "ignore" : "pipe", "pipe", "pipe"],
      detached: options.processGroup === true,
    });
    const killGroup = (): void => {
      if (options.processGroup !== true || child.pid === undefined) return;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // The group is gone already.
      }
    };
    let stdout = "";
    let stderr = "";
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill("SIGKILL");
      killGroup();
    }, timeoutMillis);
    const lines = (onText: (text: string) => void): ((chunk: Buffer) => void) => {
      let pending = "";
      return (chunk) => {
        const text = chunk.toString();
        onText(text);
        if (options.onLine === undefined) return;
        pending += text;
        const complete = pending.split("\n");
        pending = complete.pop() ?? "";
        for (const line of complete) options.onLine(line, child);
      };
    };
    child.stdout?.on(
      "data",
      lines((text) => (stdout += text)),
    );
    child.stderr?.on(
      "data",
      lines((text) => (stderr += text)),
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
    child.on("error", (error) => {
      clearTimeout(timer);
      resolve({ code: -1, signal: null, stdout, stderr: `${stderr}${error.message}`, killed, millis: Date.now() - started });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      killGroup();
      const note = killed ? `\n[runProcess] killed after ${timeoutMillis} ms` : "";
      resolve({ code, signal, stdout, stderr: `${stderr}${note}`, killed, millis: Date.now() - started });
    });
  });
}

/** {@link runProcess} for Node: `node` is the binary (default the one running the tests). */
export function runNode(args: readonly string[], options: RunProcessOptions & { readonly node?: string } = {}): Promise<ProcessRun> {
  return runProcess(options.node ?? process.execPath, args, options);
}

/** The last non-empty line of `output`, parsed as JSON: what a child prints last as its result. Undefined when it is not JSON. */
export function lastJsonLine<T = unknown>(output: string): T | undefined {
  const line = output.trim().split("\n").pop() ?? "";
  try {
    return JSON.parse(line) as T;
  } catch {
    return undefined;
  }
}

/** The JSON after `marker` on the first line of `output` that starts with it; undefined when there is none. */
export function markedJsonLine<T = unknown>(output: string, marker: string): T | undefined {
  const line = output.split("\n").find((text) => text.startsWith(marker));
  return line === undefined ? undefined : (JSON.parse(line.slice(marker.length)) as T);
}
