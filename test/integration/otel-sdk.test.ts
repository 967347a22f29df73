import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, relative, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { cleanEnvironment, runProcess, startGrpcReceiver, startHttpReceiver } from "@llmops-internal/test-support";
import type { DecodedSpan } from "@llmops-internal/test-support";
import { nodeBinaries } from "./support/node-binaries";
import type { NodeBinary } from "./support/node-binaries";
import { arizePackage, buildAndPack, corePackage, repo, runOrThrow } from "./support/pack";
import { ensureYarnBerry } from "./support/yarn-berry";

/**
 * llmops in apps that run their own OpenTelemetry NodeSDK, as docs/frameworks/opentelemetry.md sets them up, from the
 * packed tarballs in fresh apps: the SDK 2.x line (`@opentelemetry/sdk-node` 0.2xx, API 1.9, every Node) and the 3.x
 * line (0.30x, API 1.10, Node 22.15 and later). The documented install line installs with npm, pnpm and Yarn without
 * ERESOLVE or a peer warning of llmops's on 2.x, and on the app's own API copy on 3.x; NodeSDK started before or after
 * `instrument()` registers without "duplicate registration"; the app's span goes to the app's collector only, the LLM
 * span to the platform only, as its child in one trace.
 */

const INSTALL_TIMEOUT_MILLIS = 8 * 60_000;
const RUN_TIMEOUT_MILLIS = 60_000;

/** Newest releases of each line at the time of writing. */
const LINES = {
  "2.x": { "@opentelemetry/api": "1.9.0", "@opentelemetry/sdk-node": "0.223.0", "@opentelemetry/exporter-trace-otlp-proto": "0.223.0" },
  "3.x": { "@opentelemetry/api": "1.10.0", "@opentelemetry/sdk-node": "0.301.0", "@opentelemetry/exporter-trace-otlp-proto": "0.301.0" },
} as const;
const LLM_CLIENT = { openai: "6.30.1", "@arizeai/openinference-instrumentation-openai": "4.2.7" };
type Line = keyof typeof LINES;

/** The app: its NodeSDK exports to its own collector; llmops starts before or after it (ORDER). */
const APP = `
const { trace } = require("@opentelemetry/api");
const { NodeSDK } = require("@opentelemetry/sdk-node");
const { OTLPTraceExporter } = require("@opentelemetry/exporter-trace-otlp-proto");
const { instrument } = require("@llmops/platform-arize");

(async () => {
  const { startOpenAIStandIn } = await import(process.env.STAND_INS_URL);
  const standIn = await startOpenAIStandIn();
  const sdk = new NodeSDK({ serviceName: "otel-app", traceExporter: new OTLPTraceExporter({ url: process.env.APP_COLLECTOR + "/v1/traces" }) });
  if (process.env.ORDER === "app-first") sdk.start();
  const tracing = await instrument();
  if (process.env.ORDER === "llmops-first") sdk.start();
  const OpenAI = require("openai");
  const client = new OpenAI({ baseURL: standIn.url, apiKey: "stand-in-key" });
  await trace.getTracer("otel-app").startActiveSpan("answer question", async (span) => {
    await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "otel test: hello" }] });
    span.end();
  });
  const shutdown = await tracing.shutdown();
  await sdk.shutdown();
  await standIn.close();
  process.stdout.write(JSON.stringify({ shutdown: shutdown.ok, requests: standIn.requests.length }) + "\\n");
})();
`;

const CONFIG = `service:
  name: llm-side
arize:
  endpoint: "\${PHOENIX_COLLECTOR_ENDPOINT}"
instrumentation:
  openai: true
validation:
  mode: strict
`;

let temp = "";
const tarballs: Record<string, string> = {};

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), "llmops-otel-sdk-"));
  for (const pkg of [corePackage, arizePackage]) tarballs[pkg.name] = await buildAndPack(pkg, join(temp, "tarballs"));
}, INSTALL_TIMEOUT_MILLIS);

afterAll(() => {
  if (temp !== "" && process.env.LLMOPS_KEEP_TEMP === undefined) rmSync(temp, { recursive: true, force: true });
});

/**
 * A fresh app of `line`: the docs' install line (llmops, its OpenAI instrumentor and the client) beside the app's SDK;
 * without llmops, the same app as a baseline of what the third-party packages alone make the package managers say.
 */
function writeApp(line: Line, name: string, withLlmops = true): string {
  const app = join(temp, name);
  mkdirSync(app, { recursive: true });
  const llmops = withLlmops ? { "@llmops/core": `file:${tarballs["@llmops/core"]}`, "@llmops/platform-arize": `file:${tarballs["@llmops/platform-arize"]}` } : {};
  const dependencies = { ...llmops, ...LINES[line], ...LLM_CLIENT };
  writeFileSync(join(app, "package.json"), JSON.stringify({ name, version: "1.0.0", private: true, dependencies }, null, 2));
  writeFileSync(join(app, "app.cjs"), APP);
  writeFileSync(join(app, "llmops.yaml"), CONFIG);
  return app;
}

/** Lines of an install's output about peer dependencies or resolution conflicts (npm, pnpm and Yarn's wordings). */
function peerTrouble(output: string): string[] {
  return output.split("\n").filter((line) => /ERESOLVE|peer dep|unmet peer|conflicting peer|Could not resolve|YN0002|YN0060|YN0086/i.test(line));
}

/** Every copy of `name` installed under `nodeModules`, however deep: its folder relative to `nodeModules`, and version. */
function installedCopies(nodeModules: string, name: string): string[] {
  const copies: string[] = [];
  const visit = (folder: string): void => {
    const manifest = join(folder, name, "package.json");
    if (existsSync(manifest)) copies.push(`${relative(nodeModules, join(folder, name))} ${(JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version}`);
    for (const entry of readdirSync(folder)) {
      const packageFolders = entry.startsWith("@") ? readdirSync(join(folder, entry)).map((inner) => join(folder, entry, inner)) : [join(folder, entry)];
      for (const packageFolder of packageFolders) if (existsSync(join(packageFolder, "node_modules"))) visit(join(packageFolder, "node_modules"));
    }
  };
  visit(nodeModules);
  return copies;
}

/** The environment of a child run on `node`: its folder first on PATH, so that npm and its scripts run on it too. */
function nodeEnvironment(node: NodeBinary, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base = cleanEnvironment(extra);
  return { ...base, PATH: `${dirname(node.path)}${delimiter}${base.PATH ?? ""}` };
}

interface Installed {
  /** The install's lines about peers or resolution conflicts. */
  readonly trouble: string[];
  /** Yarn: the peer requirements `yarn explain peer-requirements` marks unmet; pnpm: the packages on the paths to each mismatch. */
  readonly unmet: string[];
}

/** Installs `app` with npm, pnpm or Yarn (Berry, with its default Plug'n'Play linker) on `node`: the first install a user makes. */
async function install(manager: "npm" | "pnpm" | "yarn", app: string, node: NodeBinary): Promise<Installed> {
  if (manager === "npm") {
    // As a user adds llmops to an app that already runs: the app's own packages first, then the docs' line on top
    // (npm resolves peers differently for a package added to an existing tree than for one install of everything).
    const manifest = join(app, "package.json");
    const written = JSON.parse(readFileSync(manifest, "utf8")) as { dependencies: Record<string, string> };
    const docsLine = ["@llmops/core", "@llmops/platform-arize", ...Object.keys(LLM_CLIENT)];
    const appOnly = Object.fromEntries(Object.entries(written.dependencies).filter(([name]) => !docsLine.includes(name)));
    writeFileSync(manifest, JSON.stringify({ ...written, dependencies: appOnly }, null, 2));
    const first = await runOrThrow("npm install of the app", "npm", ["install", "--no-audit", "--no-fund"], { cwd: app, env: nodeEnvironment(node) });
    const added = docsLine.map((name) => (name.startsWith("@llmops/") ? (tarballs[name] ?? name) : `${name}@${LLM_CLIENT[name as keyof typeof LLM_CLIENT]}`));
    const run = await runOrThrow("npm install of the docs' line", "npm", ["install", "--no-audit", "--no-fund", ...added], { cwd: app, env: nodeEnvironment(node) });
    return { trouble: peerTrouble(`${first.stdout}\n${first.stderr}\n${run.stdout}\n${run.stderr}`), unmet: [] };
  }
  if (manager === "pnpm") {
    const run = await runOrThrow("pnpm install", "pnpm", ["install"], { cwd: app, env: nodeEnvironment(node, { CI: "true" }) });
    // pnpm draws each mismatch under the path of packages that leads to it (which path it picks can vary): the
    // mismatches themselves, and the packages on those paths.
    const output = `${run.stdout}\n${run.stderr}`;
    const tree = /Issues with peer dependencies found\n([\s\S]*?)\n\n/.exec(output)?.[1] ?? "";
    const onPaths = tree.split("\n").flatMap((line) => /[└├]─┬ (\S+)/.exec(line)?.[1] ?? []);
    return { trouble: peerTrouble(output).map((line) => line.trim()), unmet: onPaths };
  }
  const yarn = await ensureYarnBerry();
  writeFileSync(join(app, "yarn.lock"), "");
  const registry = (process.env.npm_config_registry ?? "https://registry.npmjs.org").replace(/\/+$/, "");
  writeFileSync(join(app, ".yarnrc.yml"), [`enableGlobalCache: true`, `enableTelemetry: false`, `npmRegistryServer: ${JSON.stringify(registry)}`, ""].join("\n"));
  const env = nodeEnvironment(node, { CI: "true", YARN_ENABLE_IMMUTABLE_INSTALLS: "false", YARN_GLOBAL_FOLDER: yarn.globalFolder });
  const run = await runOrThrow("yarn install", node.path, [yarn.yarnJs, "install"], { cwd: app, env });
  const explained = await runProcess(node.path, [yarn.yarnJs, "explain", "peer-requirements"], { cwd: app, env });
  // Each line names the package that provides the peer and the one that wants it, after a hash of the requirement.
  const unmet = explained.stdout
    .split("\n")
    .filter((line) => line.includes("✘"))
    .map((line) => line.replace(/^\S+\s+→\s+/, "").replace(/\s+\[\w+\].*$/, ""));
  return { trouble: peerTrouble(`${run.stdout}\n${run.stderr}`), unmet };
}

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly app: DecodedSpan[];
  readonly llm: DecodedSpan[];
}

async function runApp(app: string, node: NodeBinary, order: "app-first" | "llmops-first"): Promise<Run> {
  const appCollector = await startHttpReceiver();
  const phoenix = await startHttpReceiver();
  try {
    const env = nodeEnvironment(node, {
      ORDER: order,
      APP_COLLECTOR: appCollector.url,
      PHOENIX_COLLECTOR_ENDPOINT: phoenix.url,
      STAND_INS_URL: pathToFileURL(join(repo, "tools", "stand-ins", "src", "index.mjs")).href,
    });
    const run = await runProcess(node.path, ["app.cjs"], { cwd: app, env, timeoutMillis: RUN_TIMEOUT_MILLIS });
    return { code: run.code, stdout: run.stdout, stderr: run.stderr, app: appCollector.acceptedSpans(), llm: phoenix.acceptedSpans() };
  } finally {
    await Promise.all([appCollector.close(), phoenix.close()]);
  }
}

function expectOneTraceEachToItsOwn(run: Run): void {
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
  expect(JSON.parse(run.stdout)).toEqual({ shutdown: true, requests: 1 });
  // The app's span to the app's collector only; the LLM span to the platform only.
  expect({ app: run.app.map((span) => span.name), llm: run.llm.map((span) => span.attributes["openinference.span.kind"]) }).toEqual({ app: ["answer question"], llm: ["LLM"] });
  const [appSpan] = run.app;
  const [llmSpan] = run.llm;
  expect({ traceId: llmSpan?.traceId, parentSpanId: llmSpan?.parentSpanId }).toEqual({ traceId: appSpan?.traceId, parentSpanId: appSpan?.spanId });
}

/** Node 22.15 or later: what the SDK 3.x line requires. */
function atLeast22_15(node: NodeBinary): boolean {
  const [major = 0, minor = 0] = node.version.replace(/^v/, "").split(".").map(Number);
  return major > 22 || (major === 22 && minor >= 15);
}

describe("an app on the OpenTelemetry SDK 2.x (sdk-node 0.223, API 1.9)", () => {
  const node = nodeBinaries()[0] as NodeBinary;
  let app = "";

  it(
    "installs the docs' line with npm, pnpm and Yarn without ERESOLVE or a peer warning",
    async () => {
      app = writeApp("2.x", "otel2-npm");
      const npm = await install("npm", app, node);
      const pnpm = await install("pnpm", writeApp("2.x", "otel2-pnpm"), node);
      const yarn = await install("yarn", writeApp("2.x", "otel2-yarn"), node);
      // Yarn's summary line also counts a mismatch between two third-party packages: OpenInference lists
      // @opentelemetry/api as a dependency (^1.9.0, resolved by Yarn to 1.10) and hands it to @opentelemetry/core 2.x.
      // Yarn's own account of each mismatch shows that none involves an llmops package.
      expect({
        npm: npm.trouble,
        pnpm: pnpm.trouble,
        yarn: yarn.trouble.filter((line) => !/YN0086.*incorrectly met by dependencies/.test(line)),
        yarnMismatchesOfLlmops: yarn.unmet.filter((line) => line.includes("@llmops/")),
      }).toEqual({ npm: [], pnpm: [], yarn: [], yarnMismatchesOfLlmops: [] });
    },
    INSTALL_TIMEOUT_MILLIS,
  );

  it.each(["app-first", "llmops-first"] as const)(
    "%s: no duplicate registration; the app's span to its collector, the LLM span to the platform, one trace",
    async (order) => {
      expectOneTraceEachToItsOwn(await runApp(app, node, order));
    },
    RUN_TIMEOUT_MILLIS * 2,
  );
});

describe("an app on the OpenTelemetry SDK 3.x (sdk-node 0.301, API 1.10, Node 22.15+)", () => {
  const nodes = nodeBinaries().filter(atLeast22_15);
  let app = "";

  it(
    "installs the docs' line with npm, pnpm and Yarn on Node 22.15+ without a peer warning of llmops's; llmops on the app's own @opentelemetry/api (1.10.0)",
    async () => {
      // Never a silent skip: pnpm test hands the Node 22 and 24 binaries in (LLMOPS_TEST_NODE_BINARIES).
      if (nodes.length === 0) throw new Error("The SDK 3.x line needs Node 22.15 or later: list such a binary in LLMOPS_TEST_NODE_BINARIES (pnpm test does).");
      const node = nodes[0] as NodeBinary;
      app = writeApp("3.x", "otel3-npm");
      const npm = await install("npm", app, node);
      // llmops and the app's SDK share the app's copy. (OpenInference lists the API as a dependency of its own, and
      // npm gives it a nested 1.9.x here: a third party's choice, outside what llmops installs.)
      const copies = installedCopies(join(app, "node_modules"), "@opentelemetry/api").filter((copy) => !copy.startsWith("@arizeai"));
      // pnpm and Yarn report one peer mismatch that is OpenInference's own: its @opentelemetry/core 2.x asks for an API
      // below 1.10 and gets the app's 1.10. The same app without llmops is the baseline: llmops adds nothing to it.
      const pnpm = await install("pnpm", writeApp("3.x", "otel3-pnpm"), node);
      const pnpmBaseline = await install("pnpm", writeApp("3.x", "otel3-pnpm-baseline", false), node);
      const yarn = await install("yarn", writeApp("3.x", "otel3-yarn"), node);
      const yarnBaseline = await install("yarn", writeApp("3.x", "otel3-yarn-baseline", false), node);
      expect({ npm: npm.trouble, copies, pnpm: pnpm.trouble, yarn: yarn.trouble, yarnUnmet: yarn.unmet }).toEqual({
        npm: [],
        copies: [`@opentelemetry${sep}api 1.10.0`],
        pnpm: pnpmBaseline.trouble,
        yarn: yarnBaseline.trouble,
        yarnUnmet: yarnBaseline.unmet,
      });
      expect({ pnpm: pnpm.unmet.filter((name) => name.startsWith("@llmops/")), yarn: yarn.unmet.filter((line) => line.includes("@llmops/")) }).toEqual({ pnpm: [], yarn: [] });
    },
    INSTALL_TIMEOUT_MILLIS,
  );

  it.each(["app-first", "llmops-first"] as const)(
    "%s, on each Node 22.15+: no duplicate registration; the app's span to its collector, the LLM span to the platform, one trace",
    async (order) => {
      expect(nodes.length).toBeGreaterThan(0);
      for (const node of nodes) expectOneTraceEachToItsOwn(await runApp(app, node, order));
    },
    RUN_TIMEOUT_MILLIS * 4,
  );

  it(
    "arize's gRPC transport uses the app's 0.301 exporter (inside the optional peer range) and delivers the span",
    async () => {
      const node = nodes[0] as NodeBinary;
      await runOrThrow("npm install of the gRPC exporter", "npm", ["install", "--no-audit", "--no-fund", "@opentelemetry/exporter-trace-otlp-grpc@0.301.0"], { cwd: app, env: nodeEnvironment(node) });
      const collector = await startGrpcReceiver();
      try {
        writeFileSync(join(app, "llmops-grpc.yaml"), 'service:\n  name: grpc3\narize:\n  endpoint: "${GRPC_ENDPOINT}"\n  transport: grpc\nvalidation:\n  mode: strict\n');
        const script = `
          const { instrument } = require("@llmops/platform-arize");
          instrument({ configPath: "llmops-grpc.yaml", flushOnExit: false })
            .then(async (tracing) => {
              tracing.tracerProvider.getTracer("grpc3").startSpan("over grpc").end();
              const result = await tracing.shutdown({ timeoutMillis: 10000 });
              process.stdout.write(JSON.stringify({ active: tracing.active, ok: result.ok }));
            });
        `;
        writeFileSync(join(app, "grpc.cjs"), script);
        const run = await runProcess(node.path, ["grpc.cjs"], { cwd: app, env: nodeEnvironment(node, { GRPC_ENDPOINT: collector.url, LLMOPS_LOG_LEVEL: "NONE" }), timeoutMillis: RUN_TIMEOUT_MILLIS });
        expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({ code: 0, stdout: JSON.stringify({ active: true, ok: true }), stderr: "" });
        expect(collector.acceptedSpans().map((span) => span.name)).toEqual(["over grpc"]);
      } finally {
        await collector.close();
      }
    },
    INSTALL_TIMEOUT_MILLIS,
  );
});
