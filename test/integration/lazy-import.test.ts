import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cleanEnvironment } from "@llmops-internal/test-support";
import { nodeBinaries } from "./support/node-binaries";
import type { NodeBinary } from "./support/node-binaries";

/**
 * DESIGN.md "Direction": `import "@llmops/core"` loads no OpenTelemetry module at all — not even the API, its peer —
 * and no cosmiconfig or valibot (core and the platforms bundle the valibot functions they use; cosmiconfig loads inside
 * `instrument()`). Proved on the built dist, in child processes, by the module cache
 * (`require.cache`) and by a loader hook (`module.register`) that records every URL the ESM loader resolves,
 * which also sees the `import()` calls the CommonJS build makes. The positive control runs `instrument()` in the same
 * process and sees the SDK arrive, so the probe can tell.
 *
 * Runs on the Node running jest and on each binary listed in `LLMOPS_TEST_NODE_BINARIES` (colon-separated).
 */

const coreDirectory = join(__dirname, "..", "..", "packages", "core");
const localDirectory = join(__dirname, "..", "..", "packages", "platform-local");
/** The OpenTelemetry SDK as core's build bundles it. */
const vendorFile = realpathSync(join(coreDirectory, "dist", "vendor", "otel.cjs"));

/** Packages that must not load at `import "@llmops/core"`. */
function isForbidden(packageName: string): boolean {
  return (
    /^@opentelemetry\/(sdk-|exporter-|instrumentation|resources$|core$|context-async-hooks$|propagator-)/.test(packageName) ||
    /^@arizeai\/openinference-instrumentation-/.test(packageName) ||
    packageName === "cosmiconfig" ||
    packageName === "valibot"
  );
}

/** The package a module file belongs to: the name after its last `node_modules/` (pnpm's `.pnpm/<id>/node_modules/<name>` included). */
function packageOf(path: string): string | undefined {
  const matches = [...path.matchAll(/\/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)];
  return matches.at(-1)?.[1];
}

const REGISTER = `import { register } from "node:module";
register(new URL("./hooks.mjs", import.meta.url), { data: { log: process.env.RESOLVED_LOG } });
`;

const HOOKS = `import { appendFileSync } from "node:fs";
let log;
export function initialize(data) {
  log = data.log;
}
export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  appendFileSync(log, result.url + "\\n");
  return result;
}
`;

/** The probe: load core, snapshot what is loaded; then instrument() a tiny registered platform and snapshot again. */
function probe(format: "cjs" | "esm"): string {
  const head =
    format === "cjs"
      ? `const { existsSync, readFileSync } = require("node:fs");
const { dirname } = require("node:path");
const load = async () => require("@llmops/core");
const requireHere = require;`
      : `import { existsSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import { createRequire } from "node:module";
const load = () => import("@llmops/core");
const requireHere = createRequire(import.meta.url);`;
  return `${head}
const resolvedByEsmLoader = () => (existsSync(process.env.RESOLVED_LOG) ? readFileSync(process.env.RESOLVED_LOG, "utf8").split("\\n").filter(Boolean) : []);
const loaded = () => [...Object.keys(requireHere.cache), ...resolvedByEsmLoader()];
(async () => {
  const core = await load();
  const before = loaded();
  // Tracing never started: trace(), withSpan() and getCurrentSpan() are pass-throughs that load nothing.
  const add = core.trace((a, b) => a + b, { kind: "tool", collectors: ["text"] });
  if (add(2, 3) !== 5 || add.length !== 2) throw new Error("trace() changed the call");
  if (core.withSpan("block", { kind: "chain" }, () => core.getCurrentSpan().setMetadata({ a: 1 }).recording) !== false) throw new Error("a span while off");
  const offTrace = loaded();
  const v = requireHere(requireHere.resolve("valibot", { paths: [dirname(requireHere.resolve("@llmops/core"))] }));
  core.registerPlatform(core.definePlatform({
    name: "tiny", configSection: "tiny", packageName: "tiny", schema: v.object({}), instrumentors: [],
    createTracerProvider: ({ assembleTracerProvider }) => assembleTracerProvider({ exporters: [] }),
  }));
  const handle = await core.getPlatform("tiny").instrument({
    config: { service: { name: "lazy" }, tiny: {} }, validationMode: "strict", global: false, flushOnExit: false,
  });
  await handle.shutdown();
  process.stdout.write(JSON.stringify({ active: handle.active, before, offTrace, after: loaded(), esmAfter: resolvedByEsmLoader() }));
})().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
`;
}

/** The platform probe: load the platform package, report what is loaded. */
const PLATFORM_PROBE = `const requireHere = REQUIRE;
const { existsSync, readFileSync } = requireHere("node:fs");
const local = LOAD;
if (typeof local.instrument !== "function") throw new Error("no instrument export");
const resolved = existsSync(process.env.RESOLVED_LOG) ? readFileSync(process.env.RESOLVED_LOG, "utf8").split("\\n").filter(Boolean) : [];
process.stdout.write(JSON.stringify({ active: true, before: [...Object.keys(requireHere.cache), ...resolved], after: [] }));
`;

let app: string;

beforeAll(() => {
  // An app whose node_modules links the workspace's core, as a workspace dependant sees it: the built dist, never src.
  app = mkdtempSync(join(tmpdir(), "llmops-lazy-"));
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "lazy-app", private: true, dependencies: { "@llmops/core": "0.1.0" } }));
  mkdirSync(join(app, "node_modules", "@llmops"), { recursive: true });
  symlinkSync(coreDirectory, join(app, "node_modules", "@llmops", "core"), "dir");
  symlinkSync(localDirectory, join(app, "node_modules", "@llmops", "platform-local"), "dir");
  writeFileSync(join(app, "platform.cjs"), PLATFORM_PROBE.replace("LOAD", 'require("@llmops/platform-local")').replace("REQUIRE", "require"));
  writeFileSync(
    join(app, "platform.mjs"),
    `import { createRequire } from "node:module";\n${PLATFORM_PROBE.replace("LOAD", 'await import("@llmops/platform-local")').replace("REQUIRE", "createRequire(import.meta.url)")}`,
  );
  writeFileSync(join(app, "register.mjs"), REGISTER);
  writeFileSync(join(app, "hooks.mjs"), HOOKS);
  writeFileSync(join(app, "probe.cjs"), probe("cjs"));
  writeFileSync(join(app, "probe.mjs"), probe("esm"));
});

afterAll(() => {
  rmSync(app, { recursive: true, force: true });
});

interface Probed {
  active: boolean;
  /** Module files loaded after `import "@llmops/core"` (paths, file URLs turned into paths). */
  before: string[];
  /** The same after `instrument()`. */
  after: string[];
  /** The same after traced calls with tracing never started (core's probe only). */
  offTrace?: string[];
  /** What the ES module loader resolved, by the end (core's probe only). */
  esmAfter?: string[];
}

function runProbe(node: NodeBinary, format: "cjs" | "esm", script = format === "cjs" ? "probe.cjs" : "probe.mjs"): Probed {
  const log = join(app, `resolved-${script}-${node.version}.log`);
  rmSync(log, { force: true });
  const result = spawnSync(node.path, ["--import", "./register.mjs", script], {
    cwd: app,
    env: cleanEnvironment({ RESOLVED_LOG: log }),
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`probe exited ${result.status}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`);
  const output = JSON.parse(result.stdout) as Probed;
  const toPath = (entry: string): string => (entry.startsWith("file:") ? fileURLToPath(entry) : entry);
  return {
    active: output.active,
    before: [...new Set(output.before.map(toPath))],
    after: [...new Set(output.after.map(toPath))],
    offTrace: output.offTrace === undefined ? undefined : [...new Set(output.offTrace.map(toPath))],
    esmAfter: output.esmAfter === undefined ? undefined : [...new Set(output.esmAfter.map(toPath))],
  };
}

const packagesIn = (files: readonly string[]): string[] => [...new Set(files.map(packageOf).filter((name): name is string => name !== undefined))].sort();

describe.each(nodeBinaries().map((node) => [node.version, node] as const))("on Node %s", (version, node) => {
  describe.each([
    ["require", "cjs", "index.cjs"],
    ["import", "esm", "index.js"],
  ] as const)('%s("@llmops/core")', (_label, format, entry) => {
    let probed: Probed;

    beforeAll(() => {
      probed = runProbe(node, format);
    }, 60_000);

    it(`loads the built core and no OpenTelemetry module (the API included), cosmiconfig or valibot (Node ${version})`, () => {
      expect(probed.before).toContain(realpathSync(join(coreDirectory, "dist", entry)));
      expect(packagesIn(probed.before).filter(isForbidden)).toEqual([]);
      expect(packagesIn(probed.before).filter((name) => name.startsWith("@opentelemetry/"))).toEqual([]);
      // Nor the SDK bundled into core (dist/vendor/otel.cjs), which instrument() loads.
      expect(probed.before.filter((file) => file === vendorFile)).toEqual([]);
    });

    it(`trace(), withSpan() and getCurrentSpan() with tracing never started load no OpenTelemetry module (Node ${version})`, () => {
      expect(probed.offTrace).toBeDefined();
      expect(packagesIn(probed.offTrace ?? []).filter((name) => name.startsWith("@opentelemetry/") || isForbidden(name))).toEqual([]);
    });

    it(`does not load the OTLP kit (@llmops/core/otlp), which only platforms that use it load (Node ${version})`, () => {
      const kit = [join(coreDirectory, "dist", "otlp.cjs"), join(coreDirectory, "dist", "otlp.js")].map((file) => realpathSync(file));
      expect(probed.before.filter((file) => kit.includes(file))).toEqual([]);
    });

    it(`positive control: instrument() loads the SDK, so the probe sees it (Node ${version})`, () => {
      expect(probed.active).toBe(true);
      const after = packagesIn(probed.after);
      // The SDK is bundled into core: it arrives as core's vendor file, with the app's API (valibot is the probe's own).
      expect(probed.after).toContain(vendorFile);
      expect(after).toEqual(expect.arrayContaining(["@opentelemetry/api", "valibot"]));
      expect(after.filter(isForbidden).length).toBeGreaterThan(0);
    });

    it(`loads the SDK file with require, never through the ES module loader (Node ${version})`, () => {
      // Node imports a CommonJS file into an ES module by first scanning its whole source for export names: for the
      // bundled SDK that scan costs more than loading it, so the ES module build of core requires the file.
      expect(probed.after).toContain(vendorFile);
      expect(probed.esmAfter).toBeDefined();
      expect(probed.esmAfter).not.toContain(vendorFile);
    });
  });
});

describe.each(nodeBinaries().map((node) => [node.version, node] as const))("@llmops/platform-local on Node %s", (_version, node) => {
  it.each([
    ["require", "cjs", "platform.cjs", "index.cjs"],
    ["import", "esm", "platform.mjs", "index.js"],
  ] as const)("%s loads the built platform and no OTel SDK, exporter or instrumentor module", (_label, format, script, entry) => {
    const probed = runProbe(node, format, script);
    expect(probed.before).toContain(realpathSync(join(localDirectory, "dist", entry)));
    // The SDK, exporters and instrumentors wait for instrument(); the valibot functions of its schema are bundled in.
    expect(packagesIn(probed.before).filter(isForbidden)).toEqual([]);
    // The probe sees what the platform does load at import: the API.
    expect(packagesIn(probed.before)).toContain("@opentelemetry/api");
  });
});

test("packageOf names the package of npm and pnpm paths alike", () => {
  expect(packageOf("/app/node_modules/cosmiconfig/dist/index.js")).toBe("cosmiconfig");
  expect(packageOf("/w/node_modules/.pnpm/@opentelemetry+sdk-trace-node@2.12.0_@opentelemetry+api@1.9.0/node_modules/@opentelemetry/sdk-trace-node/build/src/index.js")).toBe(
    "@opentelemetry/sdk-trace-node",
  );
  expect(packageOf("/w/node_modules/.pnpm/foo@1.0.0_valibot@1.5.0/node_modules/foo/index.js")).toBe("foo");
  expect(packageOf("/w/packages/core/dist/index.cjs")).toBeUndefined();
});
