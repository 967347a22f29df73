// B2's fixture: an app with 1,000 generated packages in node_modules (plus the real ones, linked from
// bench/node_modules), generated at run time in the system's temporary folder. Its package.json declares the real
// ones and the first DECLARED generated ones, the rest standing for the transitive dependencies of a real app, which
// declares tens of packages and installs hundreds. It lives outside the repository so that Node's resolution, which
// climbs the folders above the app, finds only what the app installed: inside the repository it would also find the
// workspace's own packages (an instrumented client the app never installed, which a setup then waits for).
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { BENCH_ROOT } from "./lib.mjs";

const GENERATED = 1000;
/** Generated packages the app's package.json declares (direct dependencies); the others are installed, not declared. */
const DECLARED = 40;
// Bumped when the real packages or the layout change (the links point into the pnpm store).
const FIXTURE_VERSION = "4";

/** The real packages the app uses, linked to bench's own installs (pnpm's store layout resolves their dependencies). */
const REAL_PACKAGES = [
  "@llmops/core",
  "@llmops/platform-arize",
  "@opentelemetry/api",
  "@arizeai/openinference-instrumentation-openai",
  "@arizeai/phoenix-otel",
  "@traceloop/node-server-sdk",
  "@opentelemetry/sdk-trace-node",
  "@opentelemetry/resources",
  "hand-wired-exporter-trace-otlp-proto",
  "valibot",
  "openai",
];

/** Creates (or reuses) the fixture app and returns its folder. */
export function ensureStartupFixture() {
  // One fixture per checkout: its links point into that checkout's pnpm store.
  const checkout = createHash("sha256").update(BENCH_ROOT).digest("hex").slice(0, 12);
  const root = join(tmpdir(), "llmops-bench", checkout, "startup-app");
  const marker = join(root, ".fixture-version");
  if (!(existsSync(marker) && readFileSync(marker, "utf8") === FIXTURE_VERSION)) {
    rmSync(root, { recursive: true, force: true });
    mkdirSync(join(root, "node_modules"), { recursive: true });
    const dependencies = {};
    for (let index = 0; index < GENERATED; index += 1) {
      const name = `bench-dep-${String(index).padStart(4, "0")}`;
      if (index < DECLARED) dependencies[name] = "1.0.0";
      const folder = join(root, "node_modules", name);
      mkdirSync(folder);
      writeFileSync(join(folder, "package.json"), `${JSON.stringify({ name, version: "1.0.0", main: "index.js", license: "MIT" }, null, 2)}\n`);
      writeFileSync(join(folder, "index.js"), `module.exports = { name: ${JSON.stringify(name)} };\n`);
    }
    for (const name of REAL_PACKAGES) {
      dependencies[name] = "*";
      const link = join(root, "node_modules", name);
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(realpathSync(join(BENCH_ROOT, "node_modules", name)), link, "dir");
    }
    writeFileSync(join(root, "package.json"), `${JSON.stringify({ name: "bench-startup-app", version: "1.0.0", private: true, type: "module", dependencies }, null, 2)}\n`);
    writeFileSync(marker, FIXTURE_VERSION);
  }
  // The app's code is copied on every run, so edits to it take effect.
  for (const file of ["startup-app.mjs", "setups.mjs", "canned-openai.mjs"]) copyFileSync(join(BENCH_ROOT, "src", file), join(root, file === "startup-app.mjs" ? "app.mjs" : file));
  return { root, packages: GENERATED + REAL_PACKAGES.length };
}
