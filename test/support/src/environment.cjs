// The clean environment of every child process the tests and the benchmark start. Plain CommonJS, so that jest
// (through ts-jest) and plain Node scripts (`bench/`, `.mjs`) load the same file without a build.
"use strict";

/**
 * Variables that configure what a test runs: llmops, OpenTelemetry, the platforms, the LLM clients the examples and
 * stand-ins use, and other tracing SDKs the benchmark compares. A child must take these from its test alone.
 */
const CONFIGURATION = /^(LLMOPS_|OTEL_|ARIZE_|PHOENIX_|MLFLOW_|DATABRICKS_|OPENAI_|ANTHROPIC_|TRACELOOP_)/i;

/**
 * Settings of the process running the tests: jest, ts-node, the pnpm script and Yarn, and the Node options they pass
 * on. `NODE_PATH` goes too: pnpm's bin shims point it at the workspace's hoisted store, where every package resolves,
 * so a missing optional peer would look installed.
 */
const RUNNER = /^(JEST_|TS_NODE_|npm_|pnpm_|YARN_|BERRY_)|^(NODE_OPTIONS|NODE_PATH|NODE_ENV|INIT_CWD)$/i;

/** Where a package manager finds its registry and store: kept, so an install in a child works as it does here. */
const PACKAGE_MANAGER_SETTINGS = new Set(["npm_config_registry", "npm_config_cache", "npm_config_cafile", "npm_config_store_dir", "npm_config_strict_ssl"]);

/** Turns certificate checking off for every TLS connection: never inherited, a test of TLS would prove nothing. */
const TLS_OVERRIDE = "NODE_TLS_REJECT_UNAUTHORIZED";

/** The machine's extra certificate authorities. */
const MACHINE_TRUST = /^(NODE_EXTRA_CA_CERTS|SSL_CERT_FILE|SSL_CERT_DIR)$/;

/**
 * The environment of a fresh shell for a child process: this process's variables without anything that configures
 * llmops, OpenTelemetry, the platforms or the LLM clients, and without the test runner's own settings; then `extra`.
 *
 * @example
 * ```ts
 * spawn(process.execPath, ["app.cjs"], { env: cleanEnvironment({ LLMOPS_LOG_LEVEL: "ALL" }) });
 * ```
 */
function cleanEnvironment(extra = {}, options = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (CONFIGURATION.test(key) || key === TLS_OVERRIDE) continue;
    if (RUNNER.test(key) && !PACKAGE_MANAGER_SETTINGS.has(key)) continue;
    if (options.machineTrust === false && MACHINE_TRUST.test(key)) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

exports.cleanEnvironment = cleanEnvironment;
