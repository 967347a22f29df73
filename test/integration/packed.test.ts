import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { nodeBinaries } from "./support/node-binaries";
import type { NodeBinary } from "./support/node-binaries";
import { cleanEnvironment, runProcess } from "@llmops-internal/test-support";
import { acmePackage as acme, arizePackage, buildAndPack, corePackage as core, localPackage as local, mlflowPackage, otlpPackage, repo, runOrThrow } from "./support/pack";

/**
 * The packages as users get them: built, packed with `pnpm pack` (which rewrites `workspace:` ranges), installed
 * from the tarballs into fresh apps outside the repo with npm (hoisted layout) and with pnpm (symlinked layout),
 * and run as CommonJS and as ESM on every Node the project supports. A third-party platform package
 * (`test/fixtures/acme-llmops-platform-acme`, whose `exports` hide its package.json) is discovered there.
 *
 * Node 20 is the Node running jest; Node 22 and 24 join when `LLMOPS_TEST_NODE_BINARIES` lists their binaries
 * (colon-separated), as `pnpm test` does.
 */

const INSTALL_TIMEOUT_MILLIS = 8 * 60_000;
const RUN_TIMEOUT_MILLIS = 60_000;

const nodes = nodeBinaries();

/** The script each app runs, as CommonJS (`require`) or as ESM (`import`). It prints one JSON object. */
function appScript(format: "cjs" | "esm"): string {
  const imports =
    format === "cjs"
      ? `const core = require("@llmops/core");\nconst { trace } = require("@opentelemetry/api");\nconst fs = require("node:fs");`
      : `import * as core from "@llmops/core";\nimport { trace } from "@opentelemetry/api";\nimport * as fs from "node:fs";`;
  return `${imports}

async function main() {
  const file = process.env.SPAN_FILE;
  const tag = process.env.SPAN_TAG;
  const result = { node: process.version };
  result.platforms = core.listPlatforms().map(({ name, packageName, version, source }) => ({ name, packageName, version, source }));
  try {
    core.getPlatform("no-such-platform");
    result.notFound = null;
  } catch (error) {
    result.notFound = { name: error.name, isInstance: core.PlatformNotFoundError.isInstance(error), available: error.available, message: error.message };
  }
  // The published platforms load from their tarballs: their Platform objects and typed instrument() exports.
  result.loaded = [];
  for (const name of ["local", "arize", "mlflow", "otlp"]) {
    const loaded = await core.getPlatform(name).load();
    result.loaded.push(loaded.name + ":" + loaded.configSection + ":" + loaded.instrumentors.length);
  }
  const handle = await core.getPlatform("acme").instrument({ config: { service: { name: "x" }, acme: { file } } });
  result.active = handle.active;
  result.platform = handle.platform;
  result.issues = handle.issues;
  const tracer = trace.getTracer("packed-test");
  tracer.startActiveSpan("parent-" + tag, (parent) => {
    tracer.startSpan("child-" + tag).end();
    parent.end();
  });
  result.shutdown = await handle.shutdown();
  result.lines = fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\\n").filter(Boolean).map((line) => JSON.parse(line)) : [];
  process.stdout.write(JSON.stringify(result));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`;
}

/**
 * Started with `node --import @llmops/platform-local/register` (ESM) or `--require` (CJS): the preload read the config
 * file named by LLMOPS_CONFIG_PATH before the app loaded; the app only makes a span and shuts the running handle down.
 */
function zeroCodeScript(format: "cjs" | "esm"): string {
  const imports =
    format === "cjs"
      ? `const { getActiveInstrumentation } = require("@llmops/core");\nconst { trace } = require("@opentelemetry/api");`
      : `import { getActiveInstrumentation } from "@llmops/core";\nimport { trace } from "@opentelemetry/api";`;
  return `${imports}
(async () => {
  const handle = await getActiveInstrumentation();
  trace.getTracer("zero-code").startSpan("zero-" + process.env.SPAN_TAG).end();
  const shutdown = await handle.shutdown();
  process.stdout.write(JSON.stringify({ active: handle.active, platform: handle.platform, ok: shutdown.ok }));
})();
`;
}

/** Compiled by `tsc --noEmit` with `module: nodenext`: the published types resolve for `import` (`.mts`) and `require` (`.cts`). */
function typeScripts(): Record<string, string> {
  const body = `
const infos: PlatformInfo[] = listPlatforms();
// Typed through the PlatformRegistry augmentation of the acme package: the section type is { file: string }.
const loaded: Promise<Platform<{ file: string }>> = getPlatform("acme").load();
const started: Promise<InstrumentationHandle> = instrument({ config: { service: { name: "x" }, acme: { file: "spans.jsonl" } } });
const isNotFound: boolean = PlatformNotFoundError.isInstance(new Error("x"));
const named: string = platform.name;
// @ts-expect-error a platform name is a string: the types are real, not any.
getPlatform(42);
// instrument({ config }) is typed by each platform's schema, through its own instrument() and through getPlatform().
const typedLocal = (): Promise<InstrumentationHandle> => instrumentLocal({ config: { service: { name: "x" }, local: { print_tree: true } } });
// @ts-expect-error local.print_tree is a boolean
const wrongLocal = (): Promise<InstrumentationHandle> => instrumentLocal({ config: { local: { print_tree: "yes" } } });
// @ts-expect-error local.print_tree is a boolean, also through getPlatform("local")
const wrongByName = (): Promise<InstrumentationHandle> => getPlatform("local").instrument({ config: { local: { print_tree: "yes" } } });
// @ts-expect-error acme.file is a string
const wrongAcme = (): Promise<InstrumentationHandle> => instrument({ config: { acme: { file: 7 } } });
export { infos, loaded, started, isNotFound, named, typedLocal, wrongLocal, wrongByName, wrongAcme };
`;
  const imports = `import { getPlatform, listPlatforms, PlatformNotFoundError } from "@llmops/core";
import type { InstrumentationHandle, Platform, PlatformInfo } from "@llmops/core";
import { instrument } from "acme-llmops-platform-acme";
import { platform } from "acme-llmops-platform-acme/platform";
import { instrument as instrumentLocal } from "@llmops/platform-local";
`;
  return {
    "tsconfig.json": JSON.stringify(
      {
        compilerOptions: { module: "nodenext", moduleResolution: "nodenext", strict: true, noEmit: true, skipLibCheck: false, types: [] },
        files: ["types-esm.mts", "types-cjs.cts"],
      },
      null,
      2,
    ),
    "types-esm.mts": imports + body,
    "types-cjs.cts": imports + body,
  };
}

interface App {
  readonly manager: "npm" | "pnpm";
  readonly directory: string;
}

interface Installed {
  readonly temp: string;
  readonly apps: Record<App["manager"], App>;
  readonly tarballs: Record<string, string>;
  readonly log: string[];
}

let installed: Installed | undefined;
/** Set first, so that afterAll removes it even when the setup fails half-way. */
let tempRoot: string | undefined;

function setup(): Installed {
  if (installed === undefined) throw new Error("beforeAll did not finish: see its error above");
  return installed;
}

async function createApp(manager: App["manager"], temp: string, tarballs: Record<string, string>, log: string[]): Promise<App> {
  const directory = join(temp, `${manager}-app`);
  mkdirSync(directory, { recursive: true });
  const dependencies: Record<string, string> = { "@opentelemetry/api": "1.9.0" };
  for (const [name, tarball] of Object.entries(tarballs)) dependencies[name] = `file:${tarball}`;
  // One app (npm's) also compiles against the published types.
  const devDependencies: Record<string, string> = manager === "npm" ? { typescript: "5.9.3" } : {};
  writeFileSync(join(directory, "package.json"), JSON.stringify({ name: `${manager}-app`, version: "1.0.0", private: true, dependencies, devDependencies }, null, 2));
  writeFileSync(join(directory, "app.cjs"), appScript("cjs"));
  writeFileSync(join(directory, "app.mjs"), appScript("esm"));
  writeFileSync(join(directory, "zero-code.cjs"), zeroCodeScript("cjs"));
  writeFileSync(join(directory, "zero-code.mjs"), zeroCodeScript("esm"));
  if (manager === "npm") for (const [file, text] of Object.entries(typeScripts())) writeFileSync(join(directory, file), text);
  const args = manager === "npm" ? ["install", "--no-audit", "--no-fund", "--loglevel=error"] : ["install", "--no-frozen-lockfile", "--reporter=append-only"];
  const result = await runOrThrow(`${manager} install`, manager, args, { cwd: directory });
  log.push(`${manager} install: ${(result.millis / 1000).toFixed(1)} s`);
  return { manager, directory };
}

beforeAll(async () => {
  const started = Date.now();
  const log: string[] = [];
  const temp = mkdtempSync(join(tmpdir(), "llmops-packed-"));
  tempRoot = temp;
  const tarballDirectory = join(temp, "tarballs");
  const tarballs: Record<string, string> = {};
  // core first: the fixture's build reads core's types.
  tarballs[core.name] = await buildAndPack(core, tarballDirectory);
  tarballs[acme.name] = await buildAndPack(acme, tarballDirectory);
  tarballs[local.name] = await buildAndPack(local, tarballDirectory);
  tarballs[arizePackage.name] = await buildAndPack(arizePackage, tarballDirectory);
  tarballs[mlflowPackage.name] = await buildAndPack(mlflowPackage, tarballDirectory);
  tarballs[otlpPackage.name] = await buildAndPack(otlpPackage, tarballDirectory);
  log.push(`build and pack: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const [npmApp, pnpmApp] = await Promise.all([createApp("npm", temp, tarballs, log), createApp("pnpm", temp, tarballs, log)]);
  installed = { temp, apps: { npm: npmApp, pnpm: pnpmApp }, tarballs, log };
  log.push(`setup total: ${((Date.now() - started) / 1000).toFixed(1)} s`);
}, INSTALL_TIMEOUT_MILLIS);

afterAll(() => {
  if (tempRoot !== undefined && process.env.LLMOPS_KEEP_TEMP === undefined) rmSync(tempRoot, { recursive: true, force: true });
});

interface AppOutput {
  node: string;
  loaded: string[];
  platforms: { name: string; packageName: string; version: string; source: string }[];
  notFound: { name: string; isInstance: boolean; available: string[]; message: string } | null;
  active: boolean;
  platform: string;
  issues: unknown[];
  shutdown: { ok: boolean };
  lines: { name: string }[];
}

async function runApp(app: App, format: "cjs" | "esm", node: NodeBinary): Promise<AppOutput> {
  const tag = `${app.manager}-${format}-${node.version}`;
  const file = join(app.directory, `spans-${tag}.jsonl`);
  rmSync(file, { force: true });
  const result = await runProcess(node.path, [format === "cjs" ? "app.cjs" : "app.mjs"], { cwd: app.directory, env: cleanEnvironment({ SPAN_FILE: file, SPAN_TAG: tag }) });
  if (result.code !== 0) throw new Error(`app exited ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  try {
    return JSON.parse(result.stdout) as AppOutput;
  } catch {
    throw new Error(`app printed no JSON\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  }
}

const workspaceEngines = (JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as { engines: { node: string } }).engines.node;

const PLATFORM_LINE = /^acme\s+acme-llmops-platform-acme\s+0\.1\.0\s+dependency\s*$/m;

describe("packed tarballs", () => {
  it("carry no workspace: ranges, only dist, and the workspace's engines range", async () => {
    const { tarballs, log } = setup();
    for (const [name, tarball] of Object.entries(tarballs)) {
      const listing = await runOrThrow("tar", "tar", ["-tzf", tarball], { cwd: dirname(tarball) });
      const files = listing.stdout.split("\n").filter(Boolean);
      expect(files).toContain("package/package.json");
      // Platforms also ship their zero-code entry points, `register.mjs` (--import) and `register.cjs` (--require);
      // core ships its `llmops` command as a file that loads dist, so that it links before any build.
      expect(files.filter((file) => !/^package\/(dist\/|package\.json$|README\.md$|LICENSE$|CHANGELOG\.md$|register\.[mc]js$|bin\/llmops\.cjs$)/.test(file))).toEqual([]);
      const manifest = await runOrThrow("tar", "tar", ["-xzOf", tarball, "package/package.json"], { cwd: dirname(tarball) });
      expect({ name, workspaceRanges: manifest.stdout.includes("workspace:") }).toEqual({ name, workspaceRanges: false });
      // Each package states the Node range the workspace supports, which this file runs on (see the test names).
      const engines = (JSON.parse(manifest.stdout) as { engines?: { node?: string } }).engines?.node;
      expect({ name, engines }).toEqual({ name, engines: workspaceEngines });
    }
    // Timings of the shared setup, for whoever reads the test log.
    process.stdout.write(`packed.test setup: ${log.join("; ")}\n`);
  });
});

describe.each(nodes.map((node) => [node.version, node] as const))("on Node %s", (version, node) => {
  describe.each([["npm"], ["pnpm"]] as const)("an app installed with %s", (manager) => {
    describe.each([
      ["CommonJS (require)", "cjs"],
      ["ESM (import)", "esm"],
    ] as const)("as %s", (_label, format) => {
      let output: AppOutput;

      beforeAll(async () => {
        output = await runApp(setup().apps[manager], format, node);
      }, RUN_TIMEOUT_MILLIS);

      it(`runs on Node ${version}`, () => {
        expect(output.node).toBe(version);
      });

      it("discovers acme from the installed dependency (its exports hide package.json)", () => {
        expect(output.platforms).toContainEqual({ name: "acme", packageName: "acme-llmops-platform-acme", version: "0.1.0", source: "dependency" });
        expect(output.platforms).toContainEqual({ name: "local", packageName: "@llmops/platform-local", version: "0.1.0", source: "dependency" });
        expect(output.platforms).toContainEqual({ name: "arize", packageName: "@llmops/platform-arize", version: "0.1.0", source: "dependency" });
        expect(output.platforms).toContainEqual({ name: "mlflow", packageName: "@llmops/platform-mlflow", version: "0.1.0", source: "dependency" });
        expect(output.platforms).toContainEqual({ name: "otlp", packageName: "@llmops/platform-otlp", version: "0.1.0", source: "dependency" });
        expect(output.loaded).toEqual([
          expect.stringMatching(/^local:local:\d+$/),
          expect.stringMatching(/^arize:arize:\d+$/),
          expect.stringMatching(/^mlflow:mlflow:\d+$/),
          expect.stringMatching(/^otlp:otlp:\d+$/),
        ]);
      });

      it("instruments with acme: active handle, spans written to the file, clean shutdown", () => {
        expect({ active: output.active, platform: output.platform, issues: output.issues }).toEqual({ active: true, platform: "acme", issues: [] });
        expect(output.shutdown.ok).toBe(true);
        const tag = `${manager}-${format}-${version}`;
        expect(output.lines).toEqual([{ name: `child-${tag}` }, { name: `parent-${tag}` }]);
      });

      it("throws PlatformNotFoundError for an unknown name, naming acme among the platforms found", () => {
        expect(output.notFound).not.toBeNull();
        expect(output.notFound?.name).toBe("PlatformNotFoundError");
        expect(output.notFound?.isInstance).toBe(true);
        expect(output.notFound?.available).toContain("acme");
        expect(output.notFound?.message).toContain('"no-such-platform"');
        expect(output.notFound?.message).toMatch(/found: [^)]*\bacme\b/);
      });
    });

    it.each([
      ["--import", "zero-code.mjs"],
      ["--require", "zero-code.cjs"],
    ])(
      "zero-code start: node %s @llmops/platform-local/register %s traces before the app's first line",
      async (flag, script) => {
        const app = setup().apps[manager];
        const tag = `${manager}-${script}-${version}`;
        const directory = join(app.directory, `zero-code-${tag}`);
        const configFile = join(app.directory, `llmops-${tag}.yaml`);
        writeFileSync(configFile, `service:\n  name: zero-code\nlocal:\n  directory: ${JSON.stringify(directory)}\n`);
        const result = await runProcess(node.path, [flag, "@llmops/platform-local/register", script], {
          cwd: app.directory,
          env: cleanEnvironment({ LLMOPS_CONFIG_PATH: configFile, LLMOPS_VALIDATION_MODE: "strict", SPAN_TAG: tag }),
        });
        expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: "" });
        expect(JSON.parse(result.stdout)).toEqual({ active: true, platform: "local", ok: true });
        // The folder llmops created also holds its `.gitignore`: the traces are the `.jsonl` files.
        const traces = readdirSync(directory).filter((file) => file.endsWith(".jsonl"));
        const written = traces.flatMap((file) => readFileSync(join(directory, file), "utf8").split("\n").filter(Boolean));
        expect(written.map((line) => (JSON.parse(line) as { name: string }).name)).toEqual([`zero-${tag}`]);
      },
      RUN_TIMEOUT_MILLIS,
    );

    it(
      `\`llmops platforms\` (core's bin) lists acme, on Node ${version}`,
      async () => {
        const app = setup().apps[manager];
        const bin = join(app.directory, "node_modules", ".bin", "llmops");
        // The bin's `#!/usr/bin/env node` picks the Node first on PATH, as in a user's shell.
        const env = cleanEnvironment({ PATH: `${dirname(node.path)}:${process.env.PATH ?? ""}` });
        const result = await runProcess(bin, ["platforms"], { cwd: app.directory, env });
        expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: "" });
        expect(result.stdout).toMatch(PLATFORM_LINE);
        const printed = await runProcess(bin, ["--version"], { cwd: app.directory, env });
        expect(printed.stdout.trim()).toBe("0.1.0");
      },
      RUN_TIMEOUT_MILLIS,
    );
  });
});

describe("published types", () => {
  it(
    "resolve with moduleResolution nodenext for import (.mts) and require (.cts), typed getPlatform included",
    async () => {
      const app = setup().apps.npm;
      const tsc = join(app.directory, "node_modules", "typescript", "bin", "tsc");
      const result = await runProcess(process.execPath, [tsc, "--noEmit", "-p", "tsconfig.json"], { cwd: app.directory });
      expect({ code: result.code, output: result.stdout + result.stderr }).toEqual({ code: 0, output: "" });
    },
    RUN_TIMEOUT_MILLIS,
  );
});
