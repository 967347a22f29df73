import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { nodeBinaries } from "./support/node-binaries";
import type { NodeBinary } from "./support/node-binaries";
import { cleanEnvironment, runProcess } from "@llmops-internal/test-support";
import { packAll, runOrThrow } from "./support/pack";
import { ensureYarnBerry } from "./support/yarn-berry";
import type { YarnBerry } from "./support/yarn-berry";

/**
 * Discovery under Yarn Plug'n'Play (DESIGN.md "Discovery": npm, pnpm and Yarn PnP layouts). The packed tarballs of
 * `@llmops/core`, `@llmops/platform-local` and the fixture `acme-llmops-platform-acme` (whose `exports` hide its
 * package.json) are installed with Yarn Berry (`nodeLinker: pnp`, no node_modules folder) into a fresh app outside
 * the repo, which then runs on every Node the project supports:
 *
 * - as CommonJS with the require hook only (`node --require ./.pnp.cjs app.cjs`);
 * - as CommonJS the way `yarn node` runs it (the require hook plus Yarn's ESM loader, `--experimental-loader`);
 * - as ESM (`node --require ./.pnp.cjs --experimental-loader ./.pnp.loader.mjs app.mjs`, as `yarn node` does).
 *
 * Yarn itself is the npm package `@yarnpkg/cli-dist`, cached outside the clone (support/yarn-berry.ts): corepack
 * would download it from outside the npm registry. Node 22 and 24 join when `LLMOPS_TEST_NODE_BINARIES` lists them.
 */

const INSTALL_TIMEOUT_MILLIS = 4 * 60_000;
const RUN_TIMEOUT_MILLIS = 60_000;

const nodes = nodeBinaries();

/** The registry Yarn installs from: npm's, as configured for this run (Yarn's default is another host). */
const registry = (process.env.npm_config_registry ?? "https://registry.npmjs.org").replace(/\/+$/, "");

interface Installed {
  readonly app: string;
  readonly yarn: YarnBerry;
  readonly log: string[];
}

let installed: Installed | undefined;
/** Set first, so that afterAll removes it even when the setup fails half-way. */
let tempRoot: string | undefined;

function setup(): Installed {
  if (installed === undefined) throw new Error("beforeAll did not finish: see its error above");
  return installed;
}

/** The environment Yarn runs in: CI=true would make installs immutable (the app has no lockfile yet). */
function yarnEnv(yarn: YarnBerry): NodeJS.ProcessEnv {
  return cleanEnvironment({ CI: "true", YARN_ENABLE_IMMUTABLE_INSTALLS: "false", YARN_GLOBAL_FOLDER: yarn.globalFolder });
}

/** The script the app runs, as CommonJS (`require`) or as ESM (`import`). It prints one JSON object, failures included. */
function appScript(format: "cjs" | "esm"): string {
  const imports =
    format === "cjs"
      ? `const core = require("@llmops/core");\nconst { trace } = require("@opentelemetry/api");\nconst fs = require("node:fs");\nconst coreEntry = require.resolve("@llmops/core");`
      : `import * as core from "@llmops/core";\nimport { trace } from "@opentelemetry/api";\nimport * as fs from "node:fs";\nimport { fileURLToPath } from "node:url";\nconst coreEntry = fileURLToPath(import.meta.resolve("@llmops/core"));`;
  return `${imports}

const describeError = (error) => (error instanceof Error ? error.stack ?? error.message : String(error));

async function main() {
  const file = process.env.SPAN_FILE;
  const tag = process.env.SPAN_TAG;
  const result = { node: process.version, pnp: process.versions.pnp ?? null, coreEntry };
  result.platforms = core.listPlatforms().map(({ name, packageName, version, source }) => ({ name, packageName, version, source }));
  try {
    const local = core.getPlatform("local");
    result.local = { name: local.name, packageName: local.packageName, version: local.version, source: local.source };
  } catch (error) {
    result.local = { error: describeError(error) };
  }
  try {
    const handle = await core.getPlatform("acme").instrument({ config: { service: { name: "pnp" }, acme: { file } }, flushOnExit: false });
    result.active = handle.active;
    result.platform = handle.platform;
    result.issues = handle.issues;
    const tracer = trace.getTracer("pnp-test");
    tracer.startActiveSpan("parent-" + tag, (parent) => {
      tracer.startSpan("child-" + tag).end();
      parent.end();
    });
    result.shutdown = await handle.shutdown();
  } catch (error) {
    result.instrumentError = describeError(error);
  }
  result.lines = fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\\n").filter(Boolean).map((line) => JSON.parse(line)) : [];
  process.stdout.write(JSON.stringify(result));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`;
}

beforeAll(async () => {
  const started = Date.now();
  const log: string[] = [];
  const temp = mkdtempSync(join(tmpdir(), "llmops-pnp-"));
  tempRoot = temp;

  // Yarn first: when it cannot be installed, the whole file fails here.
  const yarn = await ensureYarnBerry();
  log.push(`${yarn.note} (${((Date.now() - started) / 1000).toFixed(1)} s)`);

  const packStarted = Date.now();
  const tarballs = await packAll(join(temp, "tarballs"));
  log.push(`build and pack: ${((Date.now() - packStarted) / 1000).toFixed(1)} s`);

  const app = join(temp, "pnp-app");
  mkdirSync(app, { recursive: true });
  const dependencies: Record<string, string> = { "@opentelemetry/api": "1.9.0" };
  for (const [name, tarball] of Object.entries(tarballs)) dependencies[name] = `file:${tarball}`;
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "pnp-app", version: "1.0.0", private: true, dependencies }, null, 2));
  writeFileSync(join(app, ".yarnrc.yml"), [`nodeLinker: pnp`, `enableGlobalCache: true`, `enableTelemetry: false`, `npmRegistryServer: ${JSON.stringify(registry)}`, ""].join("\n"));
  // An empty lockfile makes this folder the project root, whatever lies above it.
  writeFileSync(join(app, "yarn.lock"), "");
  writeFileSync(join(app, "app.cjs"), appScript("cjs"));
  writeFileSync(join(app, "app.mjs"), appScript("esm"));
  const install = await runOrThrow("yarn install", process.execPath, [yarn.yarnJs, "install"], { cwd: app, env: yarnEnv(yarn) });
  log.push(`yarn install: ${(install.millis / 1000).toFixed(1)} s`);

  installed = { app, yarn, log };
  log.push(`setup total: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}, INSTALL_TIMEOUT_MILLIS);

afterAll(() => {
  if (process.env.LLMOPS_KEEP_TEMP !== undefined) return;
  if (installed !== undefined) removeCachedTarballs(installed);
  if (tempRoot !== undefined) rmSync(tempRoot, { recursive: true, force: true });
});

/**
 * Removes from Yarn's global cache the zips it made of this run's tarballs (their names hash the tarball's temp path,
 * so each run adds new ones and no other run uses them). Read from the app's .pnp.cjs, which names them.
 */
function removeCachedTarballs({ app, yarn }: Installed): void {
  const pnp = join(app, ".pnp.cjs");
  if (!existsSync(pnp)) return;
  const zips = new Set(readFileSync(pnp, "utf8").match(/(?:@llmops-core|@llmops-platform-local|acme-llmops-platform-acme)-file-[0-9a-f]+-[0-9a-z]+\.zip/g) ?? []);
  for (const zip of zips) rmSync(join(yarn.globalFolder, "cache", zip), { force: true });
}

describe("yarn install (Yarn Berry, nodeLinker: pnp)", () => {
  it("makes a Plug'n'Play app: .pnp.cjs and .pnp.loader.mjs, and no node_modules folder", () => {
    const { app, yarn, log } = setup();
    expect(existsSync(join(app, ".pnp.cjs"))).toBe(true);
    expect(existsSync(join(app, ".pnp.loader.mjs"))).toBe(true);
    expect(existsSync(join(app, "node_modules"))).toBe(false);
    const lockfile = readFileSync(join(app, "yarn.lock"), "utf8");
    for (const name of ["@llmops/core", "@llmops/platform-local", "acme-llmops-platform-acme"]) expect(lockfile).toContain(`${name}@file:`);
    expect(yarn.yarnJs).not.toContain(join(__dirname, "..", ".."));
    // Timings of the shared setup, for whoever reads the test log.
    process.stdout.write(`pnp.test setup: ${log.join("; ")}\n`);
  });

  it(
    "`yarn llmops platforms` (core's bin, run by Yarn) lists acme and local",
    async () => {
      const { app, yarn } = setup();
      const result = await runProcess(process.execPath, [yarn.yarnJs, "llmops", "platforms"], { cwd: app, env: yarnEnv(yarn) });
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: "" });
      expect(result.stdout).toMatch(/^acme\s+acme-llmops-platform-acme\s+0\.1\.0\s+dependency\s*$/m);
      expect(result.stdout).toMatch(/^local\s+@llmops\/platform-local\s+0\.1\.0\s+dependency\s*$/m);
    },
    RUN_TIMEOUT_MILLIS,
  );
});

interface AppOutput {
  node: string;
  pnp: string | null;
  coreEntry: string;
  platforms: { name: string; packageName: string; version: string; source: string }[];
  local: { name: string; packageName: string; version: string; source: string } | { error: string };
  active?: boolean;
  platform?: string;
  issues?: unknown[];
  shutdown?: { ok: boolean };
  instrumentError?: string;
  lines: { name: string }[];
  /** What llmops printed on stderr (its warnings say why a handle is inactive); Node's own warnings left out. */
  llmopsStderr: string[];
}

interface Mode {
  readonly id: string;
  readonly label: string;
  readonly script: "app.cjs" | "app.mjs";
  /** Node's arguments before the script, as Yarn documents them (`yarn node` passes the same, in NODE_OPTIONS). */
  readonly flags: (app: string) => string[];
}

const requireHook = (app: string): string[] => ["--require", join(app, ".pnp.cjs")];
const withLoader = (app: string): string[] => [...requireHook(app), "--experimental-loader", pathToFileURL(join(app, ".pnp.loader.mjs")).href];

const modes: readonly Mode[] = [
  { id: "cjs-require", label: "CommonJS with the require hook (node --require .pnp.cjs)", script: "app.cjs", flags: requireHook },
  { id: "cjs-loader", label: "CommonJS as `yarn node` runs it (--require .pnp.cjs --experimental-loader .pnp.loader.mjs)", script: "app.cjs", flags: withLoader },
  { id: "esm", label: "ESM (--require .pnp.cjs --experimental-loader .pnp.loader.mjs)", script: "app.mjs", flags: withLoader },
];

async function runApp(mode: Mode, node: NodeBinary): Promise<AppOutput> {
  const { app } = setup();
  const tag = `${mode.id}-${node.version}`;
  const file = join(app, `spans-${tag}.jsonl`);
  rmSync(file, { force: true });
  const result = await runProcess(node.path, [...mode.flags(app), mode.script], { cwd: app, env: cleanEnvironment({ SPAN_FILE: file, SPAN_TAG: tag }) });
  if (result.code !== 0) throw new Error(`app exited ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  try {
    const output = JSON.parse(result.stdout) as Omit<AppOutput, "llmopsStderr">;
    const llmopsStderr = result.stderr.split("\n").filter((line) => /llmops/i.test(line) && !/ExperimentalWarning|--experimental-loader|--trace-warnings/.test(line));
    return { ...output, llmopsStderr };
  } catch {
    throw new Error(`app printed no JSON\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
}

describe.each(nodes.map((node) => [node.version, node] as const))("a Yarn PnP app on Node %s", (version, node) => {
  describe.each(modes.map((mode) => [mode.label, mode] as const))("as %s", (_label, mode) => {
    let output: AppOutput;

    beforeAll(async () => {
      output = await runApp(mode, node);
    }, RUN_TIMEOUT_MILLIS);

    it(`runs under PnP on Node ${version}: core is read from Yarn's zip cache`, () => {
      expect(output.node).toBe(version);
      expect(output.pnp).not.toBeNull();
      expect(output.coreEntry).toMatch(mode.script === "app.cjs" ? /\.zip\/node_modules\/@llmops\/core\/dist\/index\.cjs$/ : /\.zip\/node_modules\/@llmops\/core\/dist\/index\.js$/);
    });

    it("discovers acme (its exports hide package.json) and local from the installed dependencies", () => {
      expect(output.platforms).toContainEqual({ name: "acme", packageName: "acme-llmops-platform-acme", version: "0.1.0", source: "dependency" });
      expect(output.platforms).toContainEqual({ name: "local", packageName: "@llmops/platform-local", version: "0.1.0", source: "dependency" });
      expect(output.local).toEqual({ name: "local", packageName: "@llmops/platform-local", version: "0.1.0", source: "dependency" });
    });

    it("instruments with acme: active handle, spans written to the file, clean shutdown", () => {
      expect({
        instrumentError: output.instrumentError,
        active: output.active,
        platform: output.platform,
        issues: output.issues,
        llmopsStderr: output.llmopsStderr,
      }).toEqual({ instrumentError: undefined, active: true, platform: "acme", issues: [], llmopsStderr: [] });
      expect(output.shutdown?.ok).toBe(true);
      const tag = `${mode.id}-${version}`;
      expect(output.lines).toEqual([{ name: `child-${tag}` }, { name: `parent-${tag}` }]);
    });
  });
});
