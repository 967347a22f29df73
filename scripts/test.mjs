// `pnpm test`: build, lint, check the formatting of and typecheck the workspace, then run jest on every Node the project supports
// (`engines`: ^20.6.0 || >=22.0.0): all projects on this Node, with the Node 22 and 24 binaries handed to the
// integration tests, then the unit projects again on Node 22 and on Node 24.
// The last line printed is `N passed, N failed`: tests from jest's JSON output, plus every check that failed.
// Exits non-zero when anything failed or when no test ran.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
/** Node releases the tests also run on, besides the one running this script. Official binaries from the npm registry. */
const EXTRA_NODE_VERSIONS = ["22.23.3", "24.21.0"];
/** Jest projects (jest.config.ts) that run on every Node; the integration project runs its child processes on every Node itself. */
const UNIT_PROJECTS = ["core", "platform-local", "platform-arize", "platform-mlflow", "platform-otlp", "instrumentation-google-genai"];

const failedChecks = [];
const timings = [];
let passed = 0;
let failed = 0;

const seconds = (started) => ((Date.now() - started) / 1000).toFixed(1);

function log(line) {
  console.log(`[test] ${line}`);
}

/** Runs a command with the terminal as its output; resolves with its exit code. */
function run(command, args, options = {}) {
  return new Promise((resolveRun) => {
    const child = spawn(command, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"], ...options });
    child.on("error", (error) => {
      console.error(`[test] could not start ${command}: ${error.message}`);
      resolveRun(-1);
    });
    child.on("close", (code, signal) => resolveRun(code ?? (signal === null ? -1 : 128)));
  });
}

/** One check (build, lint, typecheck, ...): counted as a failure when it fails. */
async function check(name, command, args, options) {
  const started = Date.now();
  log(`${name}: ${command} ${args.join(" ")}`);
  const code = await run(command, args, options);
  timings.push(`${name}: ${seconds(started)} s`);
  if (code !== 0) {
    failedChecks.push(`${name} (exit ${code})`);
    log(`FAILED: ${name} (exit ${code})`);
  }
  return code === 0;
}

function nodeVersionOf(binary) {
  const result = spawnSync(binary, ["--version"], { encoding: "utf8" });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/**
 * The official Node binary of `version`, installed from the npm registry (`node-<platform>-<arch>`) into a cache
 * outside the clone ($XDG_CACHE_HOME or ~/.cache, folder llmops/node/<version>) and reused from there.
 */
async function ensureNode(version) {
  const cache = process.env.XDG_CACHE_HOME !== undefined && process.env.XDG_CACHE_HOME !== "" ? process.env.XDG_CACHE_HOME : join(homedir(), ".cache");
  const prefix = join(cache, "llmops", "node", version);
  const packageName = `node-${process.platform}-${process.arch}`;
  const binary = join(prefix, "node_modules", packageName, "bin", "node");
  if (nodeVersionOf(binary) === `v${version}`) {
    log(`Node ${version}: cached at ${binary}`);
    return binary;
  }
  rmSync(prefix, { recursive: true, force: true });
  mkdirSync(prefix, { recursive: true });
  const started = Date.now();
  log(`Node ${version}: npm install --prefix ${prefix} ${packageName}@${version}`);
  const code = await run("npm", ["install", "--prefix", prefix, "--no-save", "--no-package-lock", "--no-audit", "--no-fund", "--loglevel=error", `${packageName}@${version}`]);
  timings.push(`install Node ${version}: ${seconds(started)} s`);
  const installed = nodeVersionOf(binary);
  if (code !== 0 || installed !== `v${version}`) {
    failedChecks.push(`install of Node ${version} (npm exit ${code}, ${binary} reports ${installed ?? "nothing"})`);
    log(`FAILED: could not install Node ${version}`);
    return undefined;
  }
  return binary;
}

/** Runs jest on `node` and adds its counts from the JSON report. */
async function jest(label, node, args, env = {}) {
  const resultsDirectory = join(root, ".test-results");
  mkdirSync(resultsDirectory, { recursive: true });
  const outputFile = join(resultsDirectory, `jest-${label.replace(/[^A-Za-z0-9.-]+/g, "-")}.json`);
  rmSync(outputFile, { force: true });
  const started = Date.now();
  log(`jest ${label}: ${node} node_modules/jest/bin/jest.js ${args.join(" ")}`);
  const code = await run(node, [join(root, "node_modules", "jest", "bin", "jest.js"), ...args, "--json", `--outputFile=${outputFile}`], {
    env: { ...process.env, ...env },
  });
  timings.push(`jest ${label}: ${seconds(started)} s`);
  let report;
  try {
    report = JSON.parse(readFileSync(outputFile, "utf8"));
  } catch {
    failedChecks.push(`jest ${label} wrote no results (exit ${code})`);
    return;
  }
  const runPassed = report.numPassedTests ?? 0;
  // A suite that failed before running any test (a compile error, a throwing beforeAll at load) counts as a failure.
  const runFailed = (report.numFailedTests ?? 0) + (report.numRuntimeErrorTestSuites ?? 0);
  passed += runPassed;
  failed += runFailed;
  log(`jest ${label}: ${runPassed} passed, ${runFailed} failed (exit ${code})`);
  if (code !== 0 && runFailed === 0) failedChecks.push(`jest ${label} exited ${code} with no failed test`);
}

const startedAll = Date.now();
const scripts = JSON.parse(readFileSync(join(root, "package.json"), "utf8")).scripts ?? {};

// The e2e venvs (Phoenix and MLflow from PyPI, cached outside the clone) install while build, lint and typecheck run.
const warmStarted = Date.now();
const warmE2e = existsSync(join(root, "e2e", "harness", "warm.mjs"))
  ? run(process.execPath, [join(root, "e2e", "harness", "warm.mjs")]).then((code) => {
      timings.push(`e2e venvs: ${seconds(warmStarted)} s`);
      if (code !== 0) failedChecks.push(`e2e venvs (exit ${code})`);
    })
  : Promise.resolve();

// The OpenTelemetry Collector the collector tests run, built from the Go module proxy into a cache outside the clone
// (tools/otelcol): at once when cached, minutes when cold; alongside the checks, like the venvs.
const collectorStarted = Date.now();
const buildCollector = existsSync(join(root, "tools", "otelcol", "build.mjs"))
  ? run(process.execPath, [join(root, "tools", "otelcol", "build.mjs")], { stdio: ["ignore", "ignore", "inherit"] }).then((code) => {
      timings.push(`collector build: ${seconds(collectorStarted)} s`);
      if (code !== 0) failedChecks.push(`collector build (exit ${code})`);
    })
  : Promise.resolve();

// 1. Build, lint, formatting, typecheck.
for (const name of ["build", "lint", "format:check", "typecheck"]) {
  if (scripts[name] !== undefined) await check(name, "pnpm", ["run", name]);
}

// The published shape of each package (exports, types conditions, files): publint, as STYLE.md asks.
for (const name of UNIT_PROJECTS) {
  if (existsSync(join(root, "packages", name))) await check(`publint ${name}`, "pnpm", ["exec", "publint", "--strict"], { cwd: join(root, "packages", name) });
}

// The provider stand-ins have their own tests (node's test runner, the real openai and anthropic clients).
if (existsSync(join(root, "tools", "stand-ins"))) await check("stand-ins tests", "pnpm", ["--filter", "@llmops-internal/stand-ins", "test"]);

// 2. The other Node releases.
const extraNodes = (await Promise.all(EXTRA_NODE_VERSIONS.map((version) => ensureNode(version)))).filter((binary) => binary !== undefined);

// 3. jest: everything on this Node (the integration tests also run their apps on the other Nodes), then the unit projects on each other Node.
await warmE2e;
await buildCollector;
await jest(`node-${process.versions.node}`, process.execPath, [], { LLMOPS_TEST_NODE_BINARIES: extraNodes.join(":") });
const unitProjects = UNIT_PROJECTS.filter((name) => existsSync(join(root, "packages", name)));
for (const binary of extraNodes) {
  if (unitProjects.length === 0) break;
  await jest(`node-${nodeVersionOf(binary)?.replace(/^v/, "") ?? "unknown"}`, binary, ["--selectProjects", ...unitProjects]);
}

// 4. The summary; its last line is the one CI reads.
log(`timings: ${timings.join("; ")}; total ${seconds(startedAll)} s`);
for (const name of failedChecks) log(`failed check: ${name}`);
if (passed + failed === 0) log("no test ran");
failed += failedChecks.length;
process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
console.log(`${passed} passed, ${failed} failed`);
