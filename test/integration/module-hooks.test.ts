import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { cleanEnvironment, lastJsonLine, runNode } from "@llmops-internal/test-support";
import { nodeBinaries } from "./support/node-binaries";

/**
 * Core's require and import hooks against the built core, in real child processes (jest's module system is not
 * Node's): modules loaded after the pipeline are patched whichever way they load, each copy once, a patch that throws
 * costs the app nothing, and an ES module app without the loader is told how to fix it.
 *
 * The fixture app has a dual package (`dual-lib`: its own class in its CJS and its ESM build), a CommonJS-only package
 * (`cjs-only-lib`: one `module.exports` whether required or imported), and instrumentors that wrap `Client.prototype.call`
 * so that each call records one "span" per wrap: a module patched twice records two.
 */
const coreDist = join(__dirname, "..", "..", "packages", "core", "dist");

const instrumentor = (options: { throwOnPatch?: boolean; name?: string } = {}) => `
  (globalThis.__loaded ??= []).push(${JSON.stringify(options.name ?? "instr")});
  class Instr {
    constructor(config) { this.config = config; }
    manuallyInstrument(moduleExports) {
      ${options.throwOnPatch === true ? 'throw new Error("broken at patch");' : ""}
      const Client = moduleExports.Client;
      const original = Client.prototype.call;
      Client.prototype.call = function (...args) {
        (globalThis.__spans ??= []).push(this.origin);
        return original.apply(this, args);
      };
    }
    enable() { (globalThis.__enabled ??= []).push("enable"); }
  }
  exports.Instr = Instr;`;

const client = (origin: string) => `class Client { get origin() { return "${origin}"; } call() { return "${origin}"; } }`;

function createApp(): string {
  const root = mkdtempSync(join(tmpdir(), "llmops-hooks-"));
  const files: Record<string, string> = {
    "package.json": JSON.stringify({ name: "hooks-app", version: "1.0.0", private: true }),
    "node_modules/dual-lib/package.json": JSON.stringify({ name: "dual-lib", version: "1.0.0", exports: { import: "./index.mjs", require: "./index.cjs" } }),
    "node_modules/dual-lib/index.cjs": `${client("dual-cjs")}\nexports.Client = Client;`,
    "node_modules/dual-lib/index.mjs": `export ${client("dual-esm")}\nexport default { Client };`,
    "node_modules/cjs-only-lib/package.json": JSON.stringify({ name: "cjs-only-lib", version: "1.0.0", main: "index.js" }),
    "node_modules/cjs-only-lib/index.js": `${client("cjs-only")}\nexports.Client = Client;`,
    "node_modules/throws-lib/package.json": JSON.stringify({ name: "throws-lib", version: "1.0.0", main: "index.js" }),
    "node_modules/throws-lib/index.js": `${client("throws")}\nexports.Client = Client;`,
    "node_modules/instr-dual/package.json": JSON.stringify({ name: "instr-dual", version: "1.0.0", main: "index.js" }),
    "node_modules/instr-dual/index.js": instrumentor({ name: "instr-dual" }),
    "node_modules/instr-broken/package.json": JSON.stringify({ name: "instr-broken", version: "1.0.0", main: "index.js" }),
    "node_modules/instr-broken/index.js": 'throw new Error("broken at import");',
    "node_modules/broken-target/package.json": JSON.stringify({ name: "broken-target", version: "1.0.0", main: "index.js" }),
    "node_modules/broken-target/index.js": `${client("broken-target")}\nexports.Client = Client;`,
    "node_modules/instr-cjs-only/package.json": JSON.stringify({ name: "instr-cjs-only", version: "1.0.0", main: "index.js" }),
    "node_modules/instr-cjs-only/index.js": instrumentor(),
    "node_modules/instr-throws/package.json": JSON.stringify({ name: "instr-throws", version: "1.0.0", main: "index.js" }),
    "node_modules/instr-throws/index.js": instrumentor({ throwOnPatch: true }),
    // The platform: instrumentors above, spans to nowhere (the wraps record the calls).
    "platform.cjs": `
      const { definePlatform } = require(${JSON.stringify(join(coreDist, "index.cjs"))});
      const v = require(require.resolve("valibot", { paths: [${JSON.stringify(coreDist)}] }));
      exports.platform = definePlatform({
        name: "hooks", configSection: "hooks", packageName: "hooks-platform",
        schema: v.object({}),
        instrumentors: [
          { key: "dual", packageName: "instr-dual", exportName: "Instr", moduleName: "dual-lib" },
          { key: "cjs_only", packageName: "instr-cjs-only", exportName: "Instr", moduleName: "cjs-only-lib" },
          { key: "throws", packageName: "instr-throws", exportName: "Instr", moduleName: "throws-lib" },
          { key: "broken", packageName: "instr-broken", exportName: "Instr", moduleName: "broken-target" },
        ],
        createTracerProvider: ({ assembleTracerProvider }) => assembleTracerProvider({ exporters: [] }),
      });`,
    "preload.mjs": `
      import { preloadPlatform } from ${JSON.stringify(join(coreDist, "index.js"))};
      import { createRequire } from "node:module";
      const { platform } = createRequire(import.meta.url)("./platform.cjs");
      await preloadPlatform(platform, { config: { service: { name: "hooks" } } });`,
    "first.mjs": "globalThis.__loadedBeforeApp = [...(globalThis.__loaded ?? [])];",
    "preload.cjs": `
      const { preloadPlatform } = require(${JSON.stringify(join(coreDist, "index.cjs"))});
      preloadPlatform(require("./platform.cjs").platform, { config: { service: { name: "hooks" } } });`,
    // ESM app: static imports of both libraries, then require() of the same two, then instrument() again.
    "app.mjs": `
      import "./first.mjs";
      import { Client as EsmDual } from "dual-lib";
      import * as dualNamespace from "dual-lib";
      import { Client as ImportedCjsOnly } from "cjs-only-lib";
      import { createRequire } from "node:module";
      import { getPlatform } from ${JSON.stringify(join(coreDist, "index.js"))};
      const require = createRequire(import.meta.url);
      const { Client: RequiredDual } = require("dual-lib");
      const { Client: RequiredCjsOnly } = require("cjs-only-lib");
      const again = await getPlatform("hooks").instrument({ modules: { dual: dualNamespace, "cjs-only-lib": require("cjs-only-lib") } });
      const results = [new EsmDual().call(), new RequiredDual().call(), new ImportedCjsOnly().call(), new RequiredCjsOnly().call()];
      const { Client: Throws } = require("throws-lib");
      results.push(new Throws().call());
      const { Client: BrokenTarget } = require("broken-target");
      results.push(new BrokenTarget().call());
      console.log(JSON.stringify({ results, spans: globalThis.__spans ?? [], enabled: globalThis.__enabled ?? [], sameCjsOnly: ImportedCjsOnly === RequiredCjsOnly, active: again.active, reports: again.instrumentations.map((r) => r.key + ":" + r.status), loadedBeforeApp: globalThis.__loadedBeforeApp, esmLoaderKind: globalThis[Symbol.for("llmops.core.state.v1")]?.moduleHooks?.esmLoaderKind }));`,
    // CommonJS app: require first, then import() of the same libraries.
    "app.cjs": `
      (async () => {
        const { Client: RequiredDual } = require("dual-lib");
        await new Promise((resolve) => setTimeout(resolve, 200)); // the pipeline under --require finishes meanwhile
        const { Client: EsmDual } = await import("dual-lib");
        const { Client: ImportedCjsOnly } = await import("cjs-only-lib");
        const { Client: RequiredCjsOnly } = require("cjs-only-lib");
        const results = [new EsmDual().call(), new RequiredDual().call(), new ImportedCjsOnly().call(), new RequiredCjsOnly().call()];
        console.log(JSON.stringify({ results, spans: globalThis.__spans ?? [], enabled: globalThis.__enabled ?? [] }));
      })();`,
    // In-code ESM app: imports first, instrument() after, optionally handing the modules in.
    "in-code.mjs": `
      import * as dualNamespace from "dual-lib";
      import { getPlatform, registerPlatform } from ${JSON.stringify(join(coreDist, "index.js"))};
      import { createRequire } from "node:module";
      registerPlatform(createRequire(import.meta.url)("./platform.cjs").platform);
      const handIn = process.argv[2] === "hand-in";
      await getPlatform("hooks").instrument({ config: { service: { name: "hooks" }, instrumentation: { throws: false, cjs_only: false, broken: false } }, ...(handIn ? { modules: { dual: dualNamespace } } : {}) });
      if (process.argv[2] === "require-after") {
        // An ES module app that requires its client after instrument(): seen through the require hook, nothing to say.
        const { Client } = createRequire(import.meta.url)("dual-lib");
        new Client().call();
      }
      new dualNamespace.Client().call();
      console.log(JSON.stringify({ spans: globalThis.__spans ?? [] }));`,
  };
  // A bundler's output, as Turbopack lays out a server external: the chunk loads the package through a hashed alias,
  // a symlink in `.next/node_modules`, by import() and by require().
  files[".next/server/chunk.cjs"] = `
    module.exports = async () => {
      const { Client: Imported } = await import("dual-lib-0123456789abcdef");
      const { Client: Required } = require("dual-lib-0123456789abcdef");
      return [new Imported().call(), new Required().call()];
    };`;
  files["alias.mjs"] = `
    import { createRequire } from "node:module";
    const results = await createRequire(import.meta.url)("./.next/server/chunk.cjs")();
    console.log(JSON.stringify({ results, spans: globalThis.__spans ?? [] }));`;
  // Next's instrumentation.ts: instrument() in code, before the route's chunk loads.
  files["next-like.cjs"] = `
    const { getPlatform, registerPlatform } = require(${JSON.stringify(join(coreDist, "index.cjs"))});
    registerPlatform(require("./platform.cjs").platform);
    (async () => {
      await getPlatform("hooks").instrument({ config: { service: { name: "hooks" }, instrumentation: { throws: false, cjs_only: false, broken: false } } });
      const results = await require("./.next/server/chunk.cjs")();
      console.log(JSON.stringify({ results, spans: globalThis.__spans ?? [] }));
    })();`;
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  mkdirSync(join(root, ".next", "node_modules"), { recursive: true });
  symlinkSync(join("..", "..", "node_modules", "dual-lib"), join(root, ".next", "node_modules", "dual-lib-0123456789abcdef"), "dir");
  return root;
}

interface Outcome {
  code: number | null;
  stdout: Record<string, unknown>;
  stderr: string;
}

async function run(cwd: string, args: string[], node: string = process.execPath, env?: Record<string, string>): Promise<Outcome> {
  const { code, stdout, stderr } = await runNode(args, { node, cwd, ...(env === undefined ? {} : { env: cleanEnvironment(env) }) });
  const summary = lastJsonLine<Record<string, unknown>>(stdout);
  if (summary === undefined) throw new Error(`no JSON from ${args.join(" ")} (exit ${code})\nstdout: ${stdout}\nstderr: ${stderr}`);
  return { code, stdout: summary, stderr };
}

/** Whether import-in-the-middle runs in-thread on this Node version (its own rule: 22.22.3+, 24.11.1+, 25.1+, 26+). */
function syncHooksExpected(version: string): boolean {
  const [major = 0, minor = 0, patch = 0] = version.replace(/^v/, "").split(".").map(Number);
  if (major >= 26) return true;
  if (major === 25) return minor >= 1;
  if (major === 24) return minor > 11 || (minor === 11 && patch >= 1);
  if (major === 22) return minor > 22 || (minor === 22 && patch >= 3);
  return false;
}

describe("core's require and import hooks, in real processes", () => {
  const app = createApp();

  it.each(nodeBinaries().map((node) => [node.version, node] as const))(
    "node --import on Node %s: ESM and CJS copies of a dual package, and one CJS-only module both ways, each patched once",
    async (version, node) => {
      const outcome = await run(app, ["--import", "./preload.mjs", "app.mjs"], node.path);
      expect(outcome.code).toBe(0);
      // In-thread hooks where import-in-the-middle supports module.registerHooks (22.22.3+, 24.11.1+), else the loader thread.
      expect(outcome.stdout.esmLoaderKind).toBe(syncHooksExpected(version) ? "in-thread" : "loader-thread");
      expect(outcome.stdout.results).toEqual(["dual-esm", "dual-cjs", "cjs-only", "cjs-only", "throws", "broken-target"]);
      // Instrumentors load when their module first does, not at start-up.
      expect(outcome.stdout.loadedBeforeApp).toEqual([]);
      // One span per call, whatever route the module took; none for throws-lib, whose instrumentor failed.
      expect(outcome.stdout.spans).toEqual(["dual-esm", "dual-cjs", "cjs-only", "cjs-only"]);
      expect(outcome.stdout.sameCjsOnly).toBe(true);
      // Patched by core through manuallyInstrument, never through the instrumentor's own hooks as well.
      expect(outcome.stdout.enabled).toEqual([]);
      // The app's own instrument() after the preload gets the running handle, silently.
      expect(outcome.stdout.active).toBe(true);
      // The report is the live one: instrumentors that failed to load or to patch when their module arrived say so.
      expect(outcome.stdout.reports).toEqual(["dual:instrumented", "cjs_only:instrumented", "throws:failed", "broken:failed"]);
      expect(outcome.stderr).toContain("instrumentor broken (instr-broken) failed to load: broken at import");
      expect(outcome.stderr).not.toContain("already called");
      expect(outcome.stderr).not.toContain("Warning");
      expect(outcome.stderr).toContain("instrumentor throws (instr-throws) failed to patch throws-lib as it loaded: broken at patch; the app runs on.");
    },
  );

  it.each(nodeBinaries().map((node) => [node.version, node] as const))(
    "node --import on Node %s: a package loaded through a bundler's hashed alias (a symlink, as Turbopack's externals) is patched as itself, imported and required",
    async (_version, node) => {
      const outcome = await run(app, ["--import", "./preload.mjs", "alias.mjs"], node.path);
      expect(outcome.code).toBe(0);
      expect(outcome.stdout.results).toEqual(["dual-esm", "dual-cjs"]);
      expect(outcome.stdout.spans).toEqual(["dual-esm", "dual-cjs"]);
      expect(outcome.stderr).not.toContain("Warning");
    },
  );

  it.each(nodeBinaries().map((node) => [node.version, node] as const))(
    "node --require on Node %s: `node -e`, `node -p` and `--input-type=module -e` run (NODE_OPTIONS reaches every node a script starts)",
    async (_version, node) => {
      const runs = await Promise.all([
        runNode(["--require", "./preload.cjs", "-e", 'console.log(JSON.stringify({ eval: require("node:path").basename("/a/b") }))'], { node: node.path, cwd: app }),
        runNode(["--require", "./preload.cjs", "-p", 'JSON.stringify({ print: require("os").EOL.length })'], { node: node.path, cwd: app }),
        runNode(
          ["--require", "./preload.cjs", "--input-type=module", "-e", 'import { sep } from "path"; import fs from "node:fs"; console.log(JSON.stringify({ esm: sep, fs: typeof fs.readFileSync }))'],
          {
            node: node.path,
            cwd: app,
          },
        ),
      ]);
      for (const run of runs) expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
      expect(runs.map((run) => lastJsonLine(run.stdout))).toEqual([{ eval: "b" }, { print: 1 }, { esm: "/", fs: "function" }]);
    },
  );

  it("in a Next.js server (NEXT_RUNTIME=nodejs), instrument() in code registers the import hooks: the route chunk's aliased import is patched", async () => {
    const [next, plain] = await Promise.all([run(app, ["next-like.cjs"], process.execPath, { NEXT_RUNTIME: "nodejs" }), run(app, ["next-like.cjs"])]);
    expect(next.code).toBe(0);
    expect(next.stdout.spans).toEqual(["dual-esm", "dual-cjs"]);
    // Outside Next, instrument() in code registers no loader: the import is not seen (the require is).
    expect(plain.stdout.spans).toEqual(["dual-cjs"]);
  });

  it("node --require: modules required before the pipeline is ready and imported after it, each patched once", async () => {
    const outcome = await run(app, ["--require", "./preload.cjs", "app.cjs"]);
    expect(outcome.code).toBe(0);
    expect(outcome.stdout.results).toEqual(["dual-esm", "dual-cjs", "cjs-only", "cjs-only"]);
    expect(outcome.stdout.spans).toEqual(["dual-esm", "dual-cjs", "cjs-only", "cjs-only"]);
    expect(outcome.stdout.enabled).toEqual([]);
    // Preloads also run in Node's module-hooks worker: llmops stays out of it (no second loader, no second pipeline).
    expect(outcome.stderr).toBe("");
  });

  it("in code, an ES module app gets one message with both fixes, and handing the module in fixes it", async () => {
    const [unseen, handedIn, requiredAfter] = await Promise.all([run(app, ["in-code.mjs"]), run(app, ["in-code.mjs", "hand-in"]), run(app, ["in-code.mjs", "require-after"])]);
    expect(requiredAfter.code).toBe(0);
    expect(requiredAfter.stdout.spans).toEqual(["dual-cjs"]);
    expect(requiredAfter.stderr).not.toContain("ES module app");
    expect(unseen.code).toBe(0);
    expect(unseen.stdout.spans).toEqual([]);
    const warnings = unseen.stderr.split("\n").filter((line) => line.includes("ES module app"));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("node --import hooks-platform/register in-code.mjs");
    expect(warnings[0]).toContain("instrument({ modules: { dual } })");
    expect(handedIn.code).toBe(0);
    expect(handedIn.stdout.spans).toEqual(["dual-esm"]);
    expect(handedIn.stderr).not.toContain("ES module app");
  });
});
