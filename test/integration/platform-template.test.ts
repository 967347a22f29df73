import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { cleanEnvironment, runProcess, startHttpReceiver } from "@llmops-internal/test-support";
import type { HttpOtlpReceiver } from "@llmops-internal/test-support";
import { nodeBinaries } from "./support/node-binaries";
import { buildAndPack, corePackage, repo, runOrThrow } from "./support/pack";

/**
 * examples/platform-template, the third-party platform users copy: its own tests (the conformance kit) pass, and its
 * packed tarball, installed next to core's into fresh npm and pnpm apps, is discovered and exports a span there.
 */

jest.setTimeout(300_000);

const templateDirectory = join(repo, "examples", "platform-template");
let temp: string;
let receiver: HttpOtlpReceiver;
const tarballs: Record<string, string> = {};

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), "llmops-template-"));
  tarballs[corePackage.name] = await buildAndPack(corePackage, join(temp, "tarballs"));
  tarballs["llmops-platform-template"] = await buildAndPack({ name: "llmops-platform-template", directory: templateDirectory }, join(temp, "tarballs"));
  receiver = await startHttpReceiver();
}, 300_000);

afterAll(async () => {
  await receiver?.close();
  if (temp !== undefined) rmSync(temp, { recursive: true, force: true });
});

// Its test script is what a platform author runs first, on the Node they have: newer Node reads the arguments of
// `node --test` as patterns, not folders.
it.each(nodeBinaries().map((node) => [node.version, node] as const))("passes its own tests on Node %s: the conformance kit, the package checks included", async (_version, node) => {
  const path = [dirname(node.path), process.env.PATH ?? ""].join(delimiter);
  const run = await runProcess("pnpm", ["test"], { cwd: templateDirectory, env: cleanEnvironment({ CI: "true", PATH: path }) });
  expect({ code: run.code, output: run.code === 0 ? "" : `${run.stdout}\n${run.stderr}` }).toEqual({ code: 0, output: "" });
  // TAP ("# pass 1") or the spec reporter of newer Node ("ℹ pass 1").
  expect(run.stdout).toMatch(/^[#ℹ] pass 1$/m);
});

it.each(["npm", "pnpm"] as const)('installed from its tarball with %s, getPlatform("template") exports a span', async (manager) => {
  const app = join(temp, `${manager}-app`);
  const dependencies: Record<string, string> = { "@opentelemetry/api": "1.9.0" };
  for (const [name, tarball] of Object.entries(tarballs)) dependencies[name] = `file:${tarball}`;
  rmSync(app, { recursive: true, force: true });
  mkdirSync(app, { recursive: true });
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: `${manager}-template-app`, version: "1.0.0", private: true, dependencies }, null, 2));
  writeFileSync(
    join(app, "app.mjs"),
    `import { getPlatform, listPlatforms } from "@llmops/core";
const tracing = await getPlatform("template").instrument({ config: { service: { name: "template-app" }, template: { endpoint: process.env.ENDPOINT, api_key: "template-app-key" } }, validationMode: "strict" });
tracing.tracerProvider.getTracer("app").startSpan("span-from-${manager}").end();
const shutdown = await tracing.shutdown();
console.log(JSON.stringify({ platforms: listPlatforms().map((info) => info.name), active: tracing.active, shutdown: shutdown.ok }));
`,
  );
  const env = cleanEnvironment({ npm_config_audit: "false", npm_config_fund: "false", npm_config_update_notifier: "false" });
  const install = await runOrThrow(`${manager} install`, manager, ["install"], { cwd: app, env });
  expect(`${install.stdout}\n${install.stderr}`).not.toMatch(/ERESOLVE|unmet peer|WARN.*peer/i);
  const run = await runOrThrow("the app", process.execPath, ["app.mjs"], { cwd: app, env: cleanEnvironment({ ENDPOINT: receiver.url }) });
  expect(JSON.parse(run.stdout.trim().split("\n").pop() ?? "{}")).toEqual({ platforms: expect.arrayContaining(["template"]), active: true, shutdown: true });
  const request = receiver.requests.find((received) => received.spans.some((span) => span.name === `span-from-${manager}`));
  expect(request?.headers.authorization).toBe("Bearer template-app-key");
  expect(request?.resourceAttributes).toMatchObject({ "service.name": "template-app", "template.project": "template-app" });
});
