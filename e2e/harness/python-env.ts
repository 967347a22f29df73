/**
 * Virtualenvs holding the real servers the e2e tests run against: Arize Phoenix and MLflow, pinned, from PyPI.
 *
 * Each server gets its own venv (their dependency sets conflict), kept outside the clone so that a fresh clone,
 * another worktree and CI on the same machine reuse it:
 *
 *   ${XDG_CACHE_HOME:-~/.cache}/llmops/e2e/<kind>-<version>-py<major.minor>/
 *
 * The folder name is the cache key: bumping a pin makes a new folder (old ones can be deleted by hand).
 * A venv counts as installed only when its marker file exists; the marker is written after `pip install`
 * succeeded, so an interrupted install is wiped and redone. Installs are serialized across processes (jest
 * workers, `warm.mjs`, two clones) by a lock file created with O_EXCL; a lock whose owner died is taken over.
 *
 * Nothing here skips: a missing `python3`, a failed install or a lock held too long throws an error that says
 * what happened and where the install log is.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from "node:fs";
import { homedir, hostname } from "node:os";
import { join } from "node:path";

export type ServerKind = "phoenix" | "mlflow";

/**
 * The pins. `mlflow` 3.17.2 is the newest 3.x whose whole release (mlflow, mlflow-skinny, mlflow-tracing) installs on
 * Python 3.11 from PyPI today (3.18.0 is listed, but its `mlflow-skinny==3.18.0` is not served); >= 3.6 is needed
 * because that is where the tracking server started translating OpenInference attributes on OTLP ingest.
 */
export const PINNED: Readonly<Record<ServerKind, { readonly package: string; readonly version: string; readonly executable: string }>> = {
  phoenix: { package: "arize-phoenix", version: "20.26.1", executable: "phoenix" },
  mlflow: { package: "mlflow", version: "3.17.2", executable: "mlflow" },
};

export interface Venv {
  /** The venv's interpreter. */
  python: string;
  /** The venv's `bin` folder (`phoenix`, `mlflow`, `pip` live there). */
  bin: string;
}

/** What the marker file records; written only after a successful install. */
interface Marker {
  package: string;
  version: string;
  python: string;
  installedAt: string;
  installSeconds: number;
}

const MARKER = ".llmops-e2e-installed.json";
/** A whole cold install takes a few minutes; past this it is treated as hung and killed. */
const INSTALL_TIMEOUT_MS = numberFromEnv("LLMOPS_E2E_INSTALL_TIMEOUT_MS", 20 * 60_000);
/** A lock older than this is stale whatever its owner says (longer than any install may take). */
const STALE_LOCK_MS = INSTALL_TIMEOUT_MS + 5 * 60_000;

function numberFromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** `${XDG_CACHE_HOME:-~/.cache}/llmops/e2e`. */
export function e2eCacheRoot(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg !== undefined && xdg !== "" ? xdg : join(homedir(), ".cache"), "llmops", "e2e");
}

/** The interpreter the venvs are made with: `LLMOPS_E2E_PYTHON`, else `python3` from PATH. */
export function basePython(): string {
  const explicit = process.env.LLMOPS_E2E_PYTHON;
  return explicit !== undefined && explicit !== "" ? explicit : "python3";
}

interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  timedOut: boolean;
}

/** Running pip/venv processes and the install locks this process holds: released if it exits or is interrupted. */
const children = new Set<ChildProcess>();
const heldLocks = new Set<string>();
let cleanupInstalled = false;

function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  const release = (): void => {
    for (const child of children) child.kill("SIGKILL");
    for (const lock of heldLocks) rmSync(lock, { force: true });
  };
  process.once("exit", release);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.once(signal, () => {
      release();
      // Then what the signal would have done, unless someone else handles it.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  }
}

/** Runs a command to completion, stdout and stderr interleaved into one string; never rejects. */
function run(command: string, args: readonly string[], options: { timeoutMs: number; env?: NodeJS.ProcessEnv }): Promise<RunResult> {
  return new Promise((resolve) => {
    let output = "";
    let timedOut = false;
    let child;
    try {
      // Not detached: a Ctrl-C (or the test runner's SIGTERM to this process group) stops pip too, so no orphan
      // keeps writing into a venv the next process is about to wipe and redo.
      child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], env: options.env ?? process.env });
    } catch (error) {
      resolve({ code: null, signal: null, output: `could not start ${command}: ${(error as Error).message}`, timedOut });
      return;
    }
    installCleanup();
    children.add(child);
    const append = (chunk: Buffer): void => {
      output += chunk.toString("utf8");
    };
    child.stdout.on("data", append);
    child.stderr.on("data", append);
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, options.timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code: null, signal: null, output: `${output}\ncould not start ${command}: ${error.message}`, timedOut });
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      children.delete(child);
      resolve({ code, signal, output, timedOut });
    });
  });
}

const pythonVersions = new Map<string, Promise<string>>();

/** `major.minor` of the base interpreter, e.g. `3.11`. */
export function pythonMajorMinor(python: string = basePython()): Promise<string> {
  let pending = pythonVersions.get(python);
  if (pending === undefined) {
    pending = run(python, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], { timeoutMs: 30_000 }).then((result) => {
      const version = result.output.trim();
      if (result.code !== 0 || !/^\d+\.\d+$/.test(version)) {
        throw new Error(`e2e: cannot run the Python the e2e servers need (${python}; set LLMOPS_E2E_PYTHON to another interpreter): exit ${result.code}, ${version || "no output"}`);
      }
      return version;
    });
    pythonVersions.set(python, pending);
  }
  return pending;
}

/** The venv folder of `kind` for the given Python `major.minor`. */
export function venvDirectory(kind: ServerKind, pythonVersion: string): string {
  return join(e2eCacheRoot(), `${kind}-${PINNED[kind].version}-py${pythonVersion}`);
}

function venvOf(directory: string): Venv {
  const bin = join(directory, process.platform === "win32" ? "Scripts" : "bin");
  return { bin, python: join(bin, process.platform === "win32" ? "python.exe" : "python") };
}

function readMarker(directory: string): Marker | undefined {
  try {
    return JSON.parse(readFileSync(join(directory, MARKER), "utf8")) as Marker;
  } catch {
    return undefined;
  }
}

/** Installed: the marker names the pinned release and the venv's interpreter and server executable exist. */
function isInstalled(kind: ServerKind, directory: string): boolean {
  const marker = readMarker(directory);
  const venv = venvOf(directory);
  return marker !== undefined && marker.package === PINNED[kind].package && marker.version === PINNED[kind].version && existsSync(venv.python) && existsSync(join(venv.bin, PINNED[kind].executable));
}

// ---------------------------------------------------------------------------------------------------------------
// The lock: `<venv>.lock`, created with O_EXCL ("wx"), holding {pid, host, createdAt}.

interface LockOwner {
  pid: number;
  host: string;
  createdAt: number;
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Stale: its owner (on this host) is gone, or it is older than any install may take, or it is unreadable and old. */
function lockIsStale(lockFile: string): boolean {
  let owner: LockOwner | undefined;
  try {
    owner = JSON.parse(readFileSync(lockFile, "utf8")) as LockOwner;
  } catch {
    owner = undefined;
  }
  let age: number;
  try {
    age = Date.now() - statSync(lockFile).mtimeMs;
  } catch {
    return false; // gone already: the next attempt to create it decides
  }
  if (owner === undefined || typeof owner.pid !== "number") return age > 10_000; // a lock being written right now is briefly empty
  if (age > STALE_LOCK_MS) return true;
  return owner.host === hostname() && !processIsAlive(owner.pid);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function withLock<T>(lockFile: string, label: string, action: () => Promise<T>): Promise<T> {
  const waitUntil = Date.now() + STALE_LOCK_MS + 60_000;
  let announced = false;
  for (;;) {
    let fd: number | undefined;
    try {
      fd = openSync(lockFile, "wx");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw new Error(`e2e: cannot create the install lock ${lockFile}: ${(error as Error).message}`);
    }
    if (fd !== undefined) {
      installCleanup();
      heldLocks.add(lockFile);
      try {
        writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), createdAt: Date.now() } satisfies LockOwner));
      } finally {
        closeSync(fd);
      }
      break;
    }
    if (lockIsStale(lockFile)) {
      // Taking over: remove and retry the exclusive create; if two waiters race, only one create succeeds.
      rmSync(lockFile, { force: true });
      continue;
    }
    if (Date.now() > waitUntil) throw new Error(`e2e: gave up waiting for ${lockFile} (another process installing ${label}); remove it if no install is running`);
    if (!announced) {
      process.stderr.write(`[e2e] waiting for another process to finish installing ${label} (lock ${lockFile})\n`);
      announced = true;
    }
    await sleep(1_000);
  }
  try {
    return await action();
  } finally {
    rmSync(lockFile, { force: true });
    heldLocks.delete(lockFile);
  }
}

// ---------------------------------------------------------------------------------------------------------------

function tail(text: string, lines = 40): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

/** Environment for venv creation and pip: no user config, no prompts, no version nag. */
function pipEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: "1", PIP_NO_INPUT: "1" };
  delete env.PYTHONHOME;
  delete env.PYTHONPATH;
  delete env.VIRTUAL_ENV;
  delete env.PIP_REQUIRE_VIRTUALENV;
  return env;
}

async function install(kind: ServerKind, directory: string, basePythonBinary: string): Promise<void> {
  const { package: name, version } = PINNED[kind];
  const spec = `${name}==${version}`;
  const logFile = `${directory}.install.log`;
  const started = Date.now();
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(e2eCacheRoot(), { recursive: true });
  const log: string[] = [];
  const fail = (step: string, result: RunResult): never => {
    writeFileSync(logFile, log.join("\n"));
    rmSync(directory, { recursive: true, force: true });
    const why = result.timedOut ? `timed out after ${INSTALL_TIMEOUT_MS / 1000} s` : `exit ${result.code ?? result.signal}`;
    throw new Error(`e2e: ${step} failed (${why}); full log in ${logFile}\n${tail(result.output)}`);
  };

  process.stderr.write(`[e2e] installing ${spec} into ${directory} (one time; a cold install takes a few minutes)\n`);
  const created = await run(basePythonBinary, ["-m", "venv", directory], { timeoutMs: 120_000, env: pipEnvironment() });
  log.push(`$ ${basePythonBinary} -m venv ${directory}`, created.output);
  if (created.code !== 0) fail(`creating the venv for ${kind} with \`${basePythonBinary} -m venv\``, created);

  const venv = venvOf(directory);
  const pipArgs = ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-input", spec];
  const installed = await run(venv.python, pipArgs, { timeoutMs: INSTALL_TIMEOUT_MS, env: pipEnvironment() });
  log.push(`$ ${venv.python} ${pipArgs.join(" ")}`, installed.output);
  if (installed.code !== 0) fail(`\`pip install ${spec}\``, installed);
  if (!existsSync(join(venv.bin, PINNED[kind].executable))) {
    fail(`\`pip install ${spec}\` installed no \`${PINNED[kind].executable}\` executable`, { ...installed, code: -1 });
  }

  // What was resolved, for whoever debugs a behaviour change: the pins are top-level only.
  const freeze = await run(venv.python, ["-m", "pip", "freeze", "--all"], { timeoutMs: 60_000, env: pipEnvironment() });
  if (freeze.code === 0) writeFileSync(join(directory, "llmops-e2e-freeze.txt"), freeze.output);

  const installSeconds = Math.round((Date.now() - started) / 100) / 10;
  const marker: Marker = { package: name, version, python: basePythonBinary, installedAt: new Date().toISOString(), installSeconds };
  writeFileSync(logFile, log.join("\n"));
  writeFileSync(join(directory, MARKER), `${JSON.stringify(marker, null, 2)}\n`);
  process.stderr.write(`[e2e] installed ${spec} in ${installSeconds} s\n`);
}

const pending = new Map<ServerKind, Promise<Venv>>();

/**
 * The venv of `kind` with its pinned server installed: reused when its marker is there, else installed now
 * (once per machine: other processes wait on the lock, then reuse it). Throws when it cannot be had.
 */
export function ensureVenv(kind: ServerKind): Promise<Venv> {
  let result = pending.get(kind);
  if (result === undefined) {
    result = ensure(kind);
    pending.set(kind, result);
    // A failure is not cached: a later call tries again.
    result.catch(() => pending.delete(kind));
  }
  return result;
}

async function ensure(kind: ServerKind): Promise<Venv> {
  if (!(kind in PINNED)) throw new Error(`e2e: unknown server kind ${String(kind)}; expected one of ${Object.keys(PINNED).join(", ")}`);
  const python = basePython();
  const directory = venvDirectory(kind, await pythonMajorMinor(python));
  if (!isInstalled(kind, directory)) {
    mkdirSync(e2eCacheRoot(), { recursive: true });
    await withLock(`${directory}.lock`, `${PINNED[kind].package}==${PINNED[kind].version}`, async () => {
      // Another process may have finished while this one waited.
      if (!isInstalled(kind, directory)) await install(kind, directory, python);
    });
  }
  return venvOf(directory);
}
