import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { cleanEnvironment, runNode } from "@llmops-internal/test-support";
import { examplesDirectory } from "./support/examples";

/**
 * One copy of each client: the built packages, the real `openai` client and the real OpenInference instrumentor, run
 * from the quickstart's folder (its dependencies). An ES module app, whether it hands its client in or starts under
 * `--import …/register`, gets its own ES module copy patched and no CommonJS copy of `openai` beside it; a CommonJS
 * app gets the CommonJS copy patched and the instrumentor's CommonJS build.
 */

const quickstart = join(examplesDirectory, "quickstart");
const instrumentorApps = join(__dirname, "..", "fixtures", "instrumentor-apps");
const scratch = mkdtempSync(join(quickstart, ".copies-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Printed by every app: what is loaded and whether the client the app uses is patched. */
const report = `
  const loaded = Object.keys(require.cache);
  const count = (part) => loaded.filter((file) => file.includes(part)).length;
  const handle = await getActiveInstrumentation();
  const openaiReport = handle?.instrumentations.find((line) => line.key === "openai");
  console.log("REPORT " + JSON.stringify({
    cjsOpenaiFiles: count("/node_modules/openai/"),
    cjsInstrumentorFiles: count("/openinference-instrumentation-openai/dist/src/"),
    status: openaiReport?.status,
    // shimmer, which the instrumentor patches with, marks what it wrapped.
    patched: Client.Chat.Completions.prototype.create.__wrapped === true,
  }));
  await handle?.shutdown();
`;

function write(name: string, text: string): string {
  const file = join(scratch, name);
  writeFileSync(file, text);
  return file;
}

async function run(args: string[], cwd = quickstart): Promise<Record<string, unknown>> {
  const result = await runNode(args, { cwd, env: { ...cleanEnvironment(), LLMOPS_SERVICE_NAME: "copies" }, timeoutMillis: 60_000 });
  const line = /^REPORT (.*)$/m.exec(result.stdout)?.[1];
  if (line === undefined) throw new Error(`no report: exit ${result.code}\n${result.stderr}`);
  return JSON.parse(line) as Record<string, unknown>;
}

describe("one copy of each client", () => {
  for (const [form, handedIn] of [
    ["its namespace", 'import * as openai from "openai"; const Client = openai.OpenAI;'],
    ["its client class", 'import OpenAI from "openai"; const openai = OpenAI; const Client = OpenAI;'],
  ] as const) {
    it(`an ES module app that hands openai in (${form}): its ES module copy is patched, no CommonJS copy of openai or of the instrumentor loads`, async () => {
      const app = write(
        `handed-in-${form.replace(/ /g, "-")}.mjs`,
        `import { createRequire } from "node:module";
         ${handedIn}
         import { getPlatform, getActiveInstrumentation } from "@llmops/core";
         const require = createRequire(import.meta.url);
         await getPlatform("local", { appRoot: process.cwd() }).instrument({ appRoot: process.cwd(), modules: { openai }, flushOnExit: false, overrides: { local: { print_tree: false, directory: ${JSON.stringify(scratch)} } } });
         ${report}`,
      );
      expect(await run([app])).toEqual({ cjsOpenaiFiles: 0, cjsInstrumentorFiles: 0, status: "instrumented", patched: true });
    }, 90_000);
  }

  it("an ES module app under --import @llmops/platform-local/register: the same", async () => {
    const app = write(
      "zero-code.mjs",
      `import { createRequire } from "node:module";
       import OpenAI from "openai";
       import { getActiveInstrumentation } from "@llmops/core";
       const require = createRequire(import.meta.url);
       const Client = OpenAI;
       ${report}`,
    );
    expect(await run(["--import", "@llmops/platform-local/register", app])).toEqual({ cjsOpenaiFiles: 0, cjsInstrumentorFiles: 0, status: "instrumented", patched: true });
  }, 90_000);

  it("a CommonJS app: the CommonJS copy is patched through the instrumentor's CommonJS build", async () => {
    const app = write(
      "common.cjs",
      `(async () => {
         const { getPlatform, getActiveInstrumentation } = require("@llmops/core");
         await getPlatform("local", { appRoot: process.cwd() }).instrument({ appRoot: process.cwd(), flushOnExit: false, overrides: { local: { print_tree: false, directory: ${JSON.stringify(scratch)} } } });
         const Client = require("openai").OpenAI;
           ${report}
       })();`,
    );
    const result = await run([app]);
    expect(result).toEqual(expect.objectContaining({ status: "instrumented", patched: true }));
    expect(result.cjsOpenaiFiles).toBeGreaterThan(0);
    expect(result.cjsInstrumentorFiles).toBeGreaterThan(0);
  }, 90_000);

  it("an ES module app that hands the Bedrock Runtime client in: the copy it imported is patched, no other copy of the client loads", async () => {
    const app = join(instrumentorApps, ".copies-bedrock.mjs");
    writeFileSync(
      app,
      `import { createRequire } from "node:module";
       import * as bedrock from "@aws-sdk/client-bedrock-runtime";
       import { getPlatform } from "@llmops/core";
       const require = createRequire(import.meta.url);
       // The AWS SDK maps import to its CommonJS build: what the app itself loaded, before llmops.
       const clientFiles = () => Object.keys(require.cache).filter((file) => file.includes("/client-bedrock-runtime/")).length;
       const own = clientFiles();
       const handle = await getPlatform("arize", { appRoot: process.cwd() }).instrument({
         appRoot: process.cwd(), modules: { bedrock }, flushOnExit: false,
         config: { service: { name: "copies" }, arize: { endpoint: "http://127.0.0.1:9", project_name: "copies" } },
       });
       const loaded = Object.keys(require.cache);
       console.log("REPORT " + JSON.stringify({
         ownClientFiles: own,
         moreClientFiles: clientFiles() - own,
         cjsInstrumentorFiles: loaded.filter((file) => file.includes("/openinference-instrumentation-bedrock/dist/src/")).length,
         status: handle.instrumentations.find((line) => line.key === "bedrock")?.status,
         patched: bedrock.BedrockRuntimeClient.prototype.send.__wrapped === true,
       }));
       await handle.shutdown();`,
    );
    try {
      expect(await run([app], instrumentorApps)).toEqual({ ownClientFiles: 1, moreClientFiles: 0, cjsInstrumentorFiles: 0, status: "instrumented", patched: true });
    } finally {
      rmSync(app, { force: true });
    }
  }, 90_000);
});
