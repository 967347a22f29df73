import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ts from "typescript";
import { repositorySnippets } from "./support/doc-snippets";
import type { Snippet } from "./support/doc-snippets";
import { cleanEnvironment, runProcess } from "@llmops-internal/test-support";
import { arizePackage, buildAndPack, corePackage, localPackage, mlflowPackage, otlpPackage, repo, runOrThrow } from "./support/pack";
import type { ProcessRun } from "@llmops-internal/test-support";

/**
 * Every `js`, `mjs`, `cjs`, `ts` and `sh` block of the docs and READMEs runs, as a user would paste it, in an app
 * that installed the packed tarballs with npm; a block that cannot run says why (`<!-- snippet: skip <reason> -->`,
 * see support/doc-snippets.ts). One loopback server stands in for OpenAI (`OPENAI_BASE_URL`), for Phoenix (the OTLP
 * endpoint of `arize:`, and of the example platform `acme` through `ACME_ENDPOINT`) and for MLflow (its experiment
 * lookup and OTLP endpoint). A block passes when it exits 0 and
 * prints nothing on stderr: no error, no warning. `npm install @llmops/...` lines run in a new, empty app and install
 * the tarballs (a stand-in `npm` on PATH maps the names), so their peer ranges are checked as the docs tell users to
 * install.
 */

const SETUP_TIMEOUT_MILLIS = 8 * 60_000;
const RUN_TIMEOUT_MILLIS = 60_000;

/** Third-party packages the snippets import, at the versions the workspace tests with. */
const APP_DEPENDENCIES: Readonly<Record<string, string>> = {
  "@opentelemetry/api": "1.9.0",
  openai: "6.30.1",
  "@anthropic-ai/sdk": "1.12.0",
  "@langchain/core": "1.4.0",
  "@arizeai/openinference-instrumentation-openai": "4.2.7",
};

const snippets = repositorySnippets(repo);

interface Setup {
  readonly app: string;
  readonly env: NodeJS.ProcessEnv;
}

let temp: string | undefined;
let server: Server | undefined;
let setup: Setup | undefined;

/** Answers as OpenAI (chat completions), MLflow (experiment lookups) and an OTLP/HTTP collector would. */
function startStandIn(): Promise<Server> {
  const standIn = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      const path = request.url ?? "";
      if (path.includes("/chat/completions")) {
        response.setHeader("content-type", "application/json");
        response.end(
          JSON.stringify({
            id: "chatcmpl-snippet",
            object: "chat.completion",
            created: 0,
            model: "gpt-4o-mini",
            choices: [{ index: 0, message: { role: "assistant", content: "Hello from the stand-in." }, finish_reason: "stop" }],
            usage: { prompt_tokens: 3, completion_tokens: 5, total_tokens: 8 },
          }),
        );
      } else if (path.includes("/mlflow/experiments/")) {
        response.setHeader("content-type", "application/json");
        response.end(JSON.stringify({ experiment_id: "1", experiment: { experiment_id: "1", name: "doc-snippets", lifecycle_stage: "active" } }));
      } else if (path.startsWith("/v1/traces")) {
        response.setHeader("content-type", "application/x-protobuf");
        response.end();
      } else {
        response.statusCode = 404;
        response.end();
      }
    });
  });
  return new Promise((resolve) => standIn.listen(0, "127.0.0.1", () => resolve(standIn)));
}

/** The app every snippet runs in: the tarballs, the clients the snippets import, a config for each platform, and an app to start. */
async function createApp(root: string, port: number): Promise<Setup> {
  const tarballs: Record<string, string> = {};
  for (const pkg of [corePackage, localPackage, arizePackage, mlflowPackage, otlpPackage]) tarballs[pkg.name] = await buildAndPack(pkg, join(root, "tarballs"));
  const app = join(root, "app");
  mkdirSync(app, { recursive: true });
  const dependencies = { ...APP_DEPENDENCIES, ...Object.fromEntries(Object.entries(tarballs).map(([name, tarball]) => [name, `file:${tarball}`])) };
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "snippet-app", version: "1.0.0", private: true, scripts: { start: "node app.mjs" }, dependencies }, null, 2));
  const origin = `http://127.0.0.1:${port}`;
  writeFileSync(
    join(app, "llmops.yaml"),
    `service:\n  name: doc-snippets\nlocal:\n  directory: .llmops/traces\narize:\n  endpoint: "${origin}"\n  project_name: doc-snippets\nmlflow:\n  tracking_uri: "${origin}"\n  experiment_name: doc-snippets\notlp:\n  endpoint: "${origin}"\n`,
  );
  // The app the command-line snippets start (`node --import ... app.mjs`, `npm start`): one chat completion.
  const call = `await new OpenAI().chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "Hi" }] })`;
  writeFileSync(join(app, "app.mjs"), `import OpenAI from "openai";\nconst answer = ${call};\nconsole.log(answer.choices[0].message.content);\n`);
  writeFileSync(join(app, "app.cjs"), `const OpenAI = require("openai");\n(async () => {\n  const answer = ${call};\n  console.log(answer.choices[0].message.content);\n})();\n`);

  // `npm` for the shell snippets: the docs' `npm install @llmops/...` installs the tarballs; everything else is npm itself.
  const bin = join(root, "bin");
  mkdirSync(bin, { recursive: true });
  const realNpm = (await runOrThrow("which npm", "sh", ["-c", "command -v npm"], { cwd: root })).stdout.trim();
  writeFileSync(
    join(bin, "npm"),
    `#!/usr/bin/env node
const { spawnSync } = require("node:child_process");
const tarballs = ${JSON.stringify(tarballs)};
const args = process.argv.slice(2).map((arg) => tarballs[arg] ?? arg);
const result = spawnSync(${JSON.stringify(realNpm)}, args, { stdio: "inherit" });
process.exit(result.status ?? 1);
`,
    { mode: 0o755 },
  );
  const env = cleanEnvironment({
    PATH: `${bin}:${process.env.PATH ?? ""}`,
    OPENAI_BASE_URL: `${origin}/v1`,
    OPENAI_API_KEY: "sk-snippet-test",
    ANTHROPIC_BASE_URL: origin,
    ANTHROPIC_API_KEY: "sk-ant-snippet-test",
    // The example platform of writing-a-platform.md ("acme") sends its spans here too.
    ACME_ENDPOINT: origin,
    npm_config_audit: "false",
    npm_config_fund: "false",
    npm_config_update_notifier: "false",
  });
  await runOrThrow("npm install of the snippet app", "npm", ["install"], { cwd: app, env });
  return { app, env };
}

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), "llmops-snippets-"));
  server = await startStandIn();
  setup = await createApp(temp, (server.address() as AddressInfo).port);
}, SETUP_TIMEOUT_MILLIS);

afterAll(async () => {
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  if (temp !== undefined && process.env.LLMOPS_KEEP_TEMP === undefined) rmSync(temp, { recursive: true, force: true });
});

/** Writes the snippet as the file a user would run, and runs it. */
async function runSnippet(snippet: Snippet, index: number): Promise<ProcessRun> {
  if (setup === undefined) throw new Error("beforeAll did not finish: see its error above");
  const { app, env } = setup;
  const name = `snippet-${index}`;
  if (snippet.kind === "sh") {
    // An install line is the first step of a new app: it runs in an empty one, where npm resolves every peer afresh.
    const cwd = /\bnpm\s+(install|i|add)\b/.test(snippet.code) ? join(app, "..", name) : app;
    if (cwd !== app) {
      mkdirSync(cwd, { recursive: true });
      writeFileSync(join(cwd, "package.json"), JSON.stringify({ name, version: "1.0.0", private: true }, null, 2));
    }
    writeFileSync(join(cwd, `${name}.sh`), snippet.code);
    return runProcess("bash", ["-e", "-o", "pipefail", `${name}.sh`], { cwd, env });
  }
  // A snippet that configures instrument() inline runs as an app with no config file would: with llmops.yaml beside
  // it, the file would be the configuration and the inline one left unread (and warned about).
  const inlineConfig = /instrument\(\{[\s\S]*?\bconfig:\s*\{/.test(snippet.code);
  const configFile = join(app, "llmops.yaml");
  if (inlineConfig) renameSync(configFile, `${configFile}.aside`);
  try {
    return await runScriptSnippet(snippet, name, app, env);
  } finally {
    if (inlineConfig) renameSync(`${configFile}.aside`, configFile);
  }
}

async function runScriptSnippet(snippet: Snippet, name: string, app: string, env: NodeJS.ProcessEnv): Promise<ProcessRun> {
  let file: string;
  if (snippet.kind === "ts") {
    // As tsx or a bundler would run it: types erased, ES module output.
    const output = ts.transpileModule(snippet.code, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false } });
    file = `${name}.mjs`;
    writeFileSync(join(app, file), output.outputText);
  } else {
    file = `${name}.${snippet.kind === "cjs" ? "cjs" : "mjs"}`;
    writeFileSync(join(app, file), snippet.code);
  }
  return runProcess(process.execPath, [file], { cwd: app, env });
}

describe("code snippets of the docs and READMEs", () => {
  it("are found: the docs have runnable blocks, each with a run or a stated reason not to", () => {
    expect(snippets.filter((snippet) => snippet.skip === undefined).length).toBeGreaterThan(20);
    expect(snippets.filter((snippet) => snippet.invalidDirective !== undefined).map((snippet) => `${snippet.file}:${snippet.line}: ${snippet.invalidDirective}`)).toEqual([]);
  });

  it("name the CLI so that npx cannot fetch an unrelated package: npx --no-install llmops or pnpm exec llmops", () => {
    // The docs and READMEs, prose included, and every message the packages print.
    const sources = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "*.md", "packages/*/src/**"], { cwd: repo, encoding: "utf8" })
      .split("\0")
      .filter((file) => file !== "" && !/(^|\/)CHANGELOG\.md$/.test(file) && existsSync(join(repo, file)));
    expect(sources.length).toBeGreaterThan(20);
    const bare = sources.flatMap((file) =>
      readFileSync(join(repo, file), "utf8")
        .split("\n")
        .flatMap((line, index) => (/\bnpx\s+(?!--no-install\b)(?:-\S+\s+)*llmops\b/.test(line) ? [`${file}:${index + 1}`] : [])),
    );
    expect(bare).toEqual([]);
  });

  describe.each(snippets.map((snippet, index) => [`${snippet.file}:${snippet.line} (${snippet.language})`, snippet, index] as const))("%s", (_name, snippet, index) => {
    if (snippet.skip !== undefined || snippet.invalidDirective !== undefined) {
      it("is not run, for a stated reason", () => {
        expect(snippet.invalidDirective).toBeUndefined();
        expect(snippet.skip?.length).toBeGreaterThanOrEqual(10);
      });
      return;
    }
    it(
      "runs: exit 0, nothing on stderr",
      async () => {
        const result = await runSnippet(snippet, index);
        expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: "" });
      },
      RUN_TIMEOUT_MILLIS,
    );
  });
});
