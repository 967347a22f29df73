// Shared helpers of the orchestrating process: child processes, statistics, tables, Node binaries.
import { fork, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { cleanEnvironment } from "@llmops-internal/test-support/environment";

export const BENCH_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const REPO_ROOT = resolve(BENCH_ROOT, "..");
export const CHILD = join(BENCH_ROOT, "src", "child.mjs");

/** Environment of a measured child: the parent's, less anything that would reconfigure a tracer behind our back. */
export function childEnvironment(extra) {
  return cleanEnvironment(extra);
}

/**
 * Forks `script` with IPC and resolves with its messages once it exits. `onMessage` sees each message as it comes
 * (and may answer with `child.send`). Kills the child after `timeoutMillis`.
 */
export function runChild({ script = CHILD, args, env, execPath = process.execPath, cwd = BENCH_ROOT, onMessage, timeoutMillis = 600_000 }) {
  return new Promise((resolveRun) => {
    const messages = [];
    let stderr = "";
    const child = fork(script, args, { cwd, env, execPath, stdio: ["ignore", "ignore", "pipe", "ipc"] });
    child.stderr.on("data", (chunk) => {
      if (stderr.length < 20_000) stderr += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMillis);
    child.on("message", (message) => {
      messages.push(message);
      onMessage?.(message, child);
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolveRun({ code, signal, messages, stderr });
    });
  });
}

/** Runs a plain process and collects stdout (B2's fresh app processes). */
export function runProcess({ command, args, cwd, env, timeoutMillis = 120_000 }) {
  return new Promise((resolveRun) => {
    let stdout = "";
    let stderr = "";
    const child = spawn(command, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => {
      if (stderr.length < 20_000) stderr += chunk;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMillis);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolveRun({ code, signal, stdout, stderr });
    });
  });
}

export const sleep = (millis) => new Promise((resolveSleep) => setTimeout(resolveSleep, millis));

/** Waits until the sink's span count has not moved for `quietMillis` (or `timeoutMillis` passed); returns it. */
export async function settle(sink, { quietMillis = 500, timeoutMillis = 15_000 } = {}) {
  const deadline = Date.now() + timeoutMillis;
  let last = sink.counts.spans;
  let since = Date.now();
  while (Date.now() < deadline) {
    await sleep(50);
    if (sink.counts.spans !== last) {
      last = sink.counts.spans;
      since = Date.now();
    } else if (Date.now() - since >= quietMillis) break;
  }
  return sink.counts.spans;
}

export function median(values) {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** { median, min, max, n, values } of a list of numbers. */
export function summarize(values) {
  const finite = values.filter((value) => Number.isFinite(value));
  if (finite.length === 0) return undefined;
  return { median: median(finite), min: Math.min(...finite), max: Math.max(...finite), n: finite.length, values: finite };
}

/** Rotates `items` by `round` so each setup runs at every position across rounds. */
export function rotate(items, round) {
  const shift = round % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

export function format(value, digits = 0) {
  if (value === undefined || value === null || Number.isNaN(value)) return "–";
  return value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** "median (min–max)". */
export function spread(summary, digits = 0) {
  if (summary === undefined) return "–";
  return `${format(summary.median, digits)} (${format(summary.min, digits)}–${format(summary.max, digits)})`;
}

export function ratio(value, base, digits = 2) {
  if (value === undefined || base === undefined || base === 0) return "–";
  return `${format(value / base, digits)}×`;
}

export function table(headers, rows) {
  const lines = [`| ${headers.join(" | ")} |`, `| ${headers.map(() => "---").join(" | ")} |`];
  for (const row of rows) lines.push(`| ${row.join(" | ")} |`);
  return lines.join("\n");
}

function nodeVersionOf(binary) {
  if (!existsSync(binary)) return undefined;
  const result = spawnSync(binary, ["--version"], { encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/**
 * The official Node binary of `version` from the npm registry (`node-<platform>-<arch>`), in the same cache
 * `pnpm test` uses ($XDG_CACHE_HOME or ~/.cache, llmops/node/<version>); installed there when missing.
 */
export function ensureNode(version) {
  const cache = process.env.XDG_CACHE_HOME ? process.env.XDG_CACHE_HOME : join(homedir(), ".cache");
  const prefix = join(cache, "llmops", "node", version);
  const packageName = `node-${process.platform}-${process.arch}`;
  const binary = join(prefix, "node_modules", packageName, "bin", "node");
  if (nodeVersionOf(binary) === `v${version}`) return binary;
  rmSync(prefix, { recursive: true, force: true });
  mkdirSync(prefix, { recursive: true });
  spawnSync("npm", ["install", "--prefix", prefix, "--no-save", "--no-package-lock", "--no-audit", "--no-fund", "--loglevel=error", `${packageName}@${version}`], { stdio: "inherit" });
  return nodeVersionOf(binary) === `v${version}` ? binary : undefined;
}

export function versionOf(binary) {
  return nodeVersionOf(binary);
}
