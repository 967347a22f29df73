import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanEnvironment } from "@llmops-internal/test-support";

/**
 * The README's one-liner, `await getPlatform("local").instrument()`, against the built packages in an app where a
 * stray package also claims the name "local" and another declares a platform in a package.json that does not parse:
 * the app starts, traces with the real `@llmops/platform-local`, says which package it used, writes its files for
 * the owner only, and `llmops platforms` tells the three apart.
 */

const repo = join(__dirname, "..", "..");
const cli = join(repo, "packages", "core", "dist", "cli.cjs");

jest.setTimeout(60_000);

function link(app: string, name: string, target: string): void {
  const path = join(app, "node_modules", name);
  mkdirSync(join(path, ".."), { recursive: true });
  symlinkSync(target, path, "dir");
}

function fakePackage(app: string, name: string, manifest: string, files: Record<string, string> = {}): void {
  const folder = join(app, "node_modules", name);
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, "package.json"), manifest);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(folder, file), text);
}

function appWithStrayClaims(): string {
  const app = mkdtempSync(join(tmpdir(), "llmops-claims-"));
  const dependencies = { "@llmops/core": "*", "@llmops/platform-local": "*", "@opentelemetry/api": "*", "aaa-stray": "*", "@llmops/platform-broken": "*" };
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "claims-app", version: "1.0.0", dependencies }));
  link(app, "@llmops/core", join(repo, "packages", "core"));
  link(app, "@llmops/platform-local", join(repo, "packages", "platform-local"));
  link(app, "@opentelemetry/api", join(repo, "packages", "core", "node_modules", "@opentelemetry", "api"));
  // Sorts before @llmops/platform-local by name: only the documented rule keeps the first-party package.
  fakePackage(app, "aaa-stray", JSON.stringify({ name: "aaa-stray", version: "6.6.6", main: "index.js", llmops: { platform: { name: "local" } } }), {
    "index.js": `require("node:fs").writeFileSync(${JSON.stringify(join(app, "stray-loaded"))}, "yes"); exports.platform = { name: "local" };`,
  });
  fakePackage(app, "@llmops/platform-broken", '{ "name": "@llmops/platform-broken", "llmops": { "platform": { "name": "broken" } }, }');
  writeFileSync(
    join(app, "app.cjs"),
    `const { getPlatform } = require("@llmops/core");
     const { trace } = require("@opentelemetry/api");
     (async () => {
       const tracing = await getPlatform("local").instrument();
       trace.getTracer("app").startSpan("answer", { attributes: { "openinference.span.kind": "LLM" } }).end();
       await tracing.shutdown();
       console.log("RESULT " + JSON.stringify({ active: tracing.active, platform: tracing.platform }));
     })();`,
  );
  return app;
}

describe("discovery with stray and broken platform packages (built packages)", () => {
  it("starts the README's one-liner with the first-party platform, warns naming both, and writes owner-only files", () => {
    const app = appWithStrayClaims();
    const result = spawnSync(process.execPath, ["app.cjs"], { cwd: app, encoding: "utf8", env: cleanEnvironment({ LLMOPS_LOG_LEVEL: "WARN" }) });
    expect(result.stderr).toContain('Platform "local" is declared by more than one installed package: @llmops/platform-local and aaa-stray');
    expect(result.stderr).toContain("Using @llmops/platform-local (the first-party package wins)");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('RESULT {"active":true,"platform":"local"}');
    expect(existsSync(join(app, "stray-loaded"))).toBe(false);

    const traces = join(app, ".llmops", "traces");
    expect(statSync(join(app, ".llmops")).mode & 0o777).toBe(0o700);
    expect(statSync(traces).mode & 0o777).toBe(0o700);
    const files = readdirSync(traces);
    expect(files).toHaveLength(1);
    expect(statSync(join(traces, files[0] as string)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(traces, files[0] as string), "utf8").trim())).toEqual(expect.objectContaining({ name: "answer" }));
    expect(readFileSync(join(app, ".llmops", ".gitignore"), "utf8")).toMatch(/^\*$/m);
  });

  it("says at debug level, under `--require @llmops/platform-local/register`, that the registered platform shadows the stray claim", () => {
    const app = appWithStrayClaims();
    writeFileSync(join(app, "idle.cjs"), "setTimeout(() => {}, 300);");
    const result = spawnSync(process.execPath, ["--require", "@llmops/platform-local/register", "idle.cjs"], {
      cwd: app,
      encoding: "utf8",
      env: cleanEnvironment({ LLMOPS_LOG_LEVEL: "DEBUG" }),
    });
    expect(result.status).toBe(0);
    expect(result.stdout + result.stderr).toContain('Platform "local" is registered in code by @llmops/platform-local and also declared by installed aaa-stray; the registered one is used.');
    expect(result.stderr).not.toContain("is declared by more than one installed package");
    expect(existsSync(join(app, "stray-loaded"))).toBe(false);
  });

  it("`llmops platforms` says which package is used, which is not, and which is broken and why", () => {
    const app = appWithStrayClaims();
    const result = spawnSync(process.execPath, [cli, "platforms"], { cwd: app, encoding: "utf8" });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/local\s+@llmops\/platform-local\s+\S+\s+dependency\s+used; also claimed by aaa-stray/);
    expect(result.stdout).toMatch(/local\s+aaa-stray\s+-\s+dependency\s+not used: @llmops\/platform-local claims the name first/);
    expect(result.stdout).toMatch(/broken\s+@llmops\/platform-broken\s+-\s+dependency\s+broken: its package\.json is not valid JSON/);
  });
});
