#!/usr/bin/env node
// Installs the e2e venvs (Phoenix and MLflow, pinned in python-env.ts) into the user cache if they are not
// there yet, and does nothing else: `node e2e/harness/warm.mjs [phoenix|mlflow ...]`.
// Meant to run early and in the background (e.g. from scripts/test.mjs while build and lint run), so the e2e
// jest project finds them ready. The two installs run one after the other: on a 2-core machine two at once are
// not faster. Exit code 0 when every venv is ready, 1 (with pip's output) when one could not be installed.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
// python-env.ts imports Node built-ins only; ts-node (a root devDependency) compiles it in memory, no build step.
require("ts-node").register({
  transpileOnly: true,
  skipProject: true,
  compilerOptions: { module: "commonjs", moduleResolution: "node10", target: "ES2022", verbatimModuleSyntax: false, esModuleInterop: true },
});
const { ensureVenv, PINNED, venvDirectory, pythonMajorMinor } = require("./python-env.ts");

const kinds = process.argv.length > 2 ? process.argv.slice(2) : Object.keys(PINNED);
let failed = false;
for (const kind of kinds) {
  const started = Date.now();
  try {
    const venv = await ensureVenv(kind);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(`[e2e] ${kind}: ${PINNED[kind].package}==${PINNED[kind].version} ready in ${venvDirectory(kind, await pythonMajorMinor())} (${seconds} s) python ${venv.python}`);
  } catch (error) {
    failed = true;
    console.error(`[e2e] ${kind}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
process.exitCode = failed ? 1 : 0;
