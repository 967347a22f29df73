#!/usr/bin/env node
// Builds the llmops OpenTelemetry Collector (main.go, go.mod, go.sum beside this file) with the Go toolchain and the
// Go module proxy, into a cache outside the clone keyed by the hash of those files:
//   ${XDG_CACHE_HOME:-~/.cache}/llmops/otelcol/<hash>/llmops-otelcol
// A second call finds the binary and returns at once; concurrent calls wait for the one that builds. Prints the path.
// Usage: node tools/otelcol/build.mjs [--quiet]
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const SOURCES = ["main.go", "go.mod", "go.sum"];
/** A build that holds the lock longer than this is taken to have died (a cold build takes minutes, not an hour). */
const STALE_LOCK_MILLIS = 45 * 60 * 1000;

/** The cache folder of this source set. */
export function collectorCacheDir() {
  const hash = createHash("sha256");
  for (const name of SOURCES) hash.update(name).update(readFileSync(join(here, name)));
  const root = process.env.XDG_CACHE_HOME ? join(process.env.XDG_CACHE_HOME, "llmops") : join(homedir(), ".cache", "llmops");
  return join(root, "otelcol", hash.digest("hex").slice(0, 16));
}

/** The binary's path, building it first when the cache lacks it. Throws with Go's output when the build fails. */
export function ensureCollector({ log = () => {} } = {}) {
  const dir = collectorCacheDir();
  const binary = join(dir, "llmops-otelcol");
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, "building.lock");
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (existsSync(binary)) return binary;
      try {
        if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MILLIS) rmSync(lock, { recursive: true, force: true });
      } catch {
        // removed by its owner meanwhile
      }
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2_000);
    }
  }
  try {
    if (existsSync(binary)) return binary;
    const go = spawnSync("go", ["version"], { encoding: "utf8" });
    if (go.status !== 0) throw new Error("the Go toolchain is not on PATH: install Go 1.25 or later to build the test collector");
    const work = mkdtempSync(join(dir, "src-"));
    for (const name of SOURCES) cpSync(join(here, name), join(work, name));
    const started = Date.now();
    log(`building the OpenTelemetry Collector (${go.stdout.trim()}) into ${dir}`);
    const output = join(work, "llmops-otelcol");
    const result = spawnSync("go", ["build", "-mod=readonly", "-trimpath", "-ldflags=-s -w", "-o", output, "."], {
      cwd: work,
      encoding: "utf8",
      env: { ...process.env, CGO_ENABLED: "0" },
      maxBuffer: 64 * 1024 * 1024,
    });
    if (result.status !== 0) throw new Error(`go build of the test collector failed:\n${(result.stderr || result.stdout || "").slice(-4000)}`);
    renameSync(output, binary);
    rmSync(work, { recursive: true, force: true });
    log(`built in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    return binary;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const quiet = process.argv.includes("--quiet");
  try {
    const binary = ensureCollector({ log: (line) => quiet || console.error(`[otelcol] ${line}`) });
    console.log(binary);
  } catch (error) {
    console.error(`[otelcol] ${error.message}`);
    process.exit(1);
  }
}
