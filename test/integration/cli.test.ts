import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The `llmops` CLI of the built core, run as a user would, in an app with a platform package installed. */
const coreDist = join(__dirname, "..", "..", "packages", "core", "dist");
const cli = join(coreDist, "cli.cjs");

function appWith(config: string | undefined): string {
  const root = mkdtempSync(join(tmpdir(), "llmops-cli-"));
  writeFileSync(join(root, "package.json"), JSON.stringify({ name: "cli-app", dependencies: { "demo-llmops-platform": "1.0.0" } }));
  const pkg = join(root, "node_modules", "demo-llmops-platform");
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "demo-llmops-platform", version: "3.1.4", main: "index.cjs", llmops: { platform: { name: "demo", configSection: "demo" } } }));
  writeFileSync(
    join(pkg, "index.cjs"),
    `const v = require(require.resolve("valibot", { paths: [${JSON.stringify(coreDist)}] }));
     exports.platform = { name: "demo", configSection: "demo", packageName: "demo-llmops-platform", instrumentors: [],
       schema: v.object({ endpoint: v.pipe(v.string(), v.url()), api_key: v.optional(v.string()) }),
       createTracerProvider: async () => { throw new Error("unused"); } };`,
  );
  if (config !== undefined) writeFileSync(join(root, "llmops.yaml"), config);
  return root;
}

function llmops(cwd: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: "utf8", env: { ...process.env, DEMO_KEY: "sk-cli-secret-value" } });
  return { code: result.status, out: result.stdout + result.stderr };
}

describe("llmops CLI", () => {
  it("lists the installed platforms with package, version and source", () => {
    const { code, out } = llmops(appWith(undefined), "platforms");
    expect(code).toBe(0);
    expect(out).toMatch(/demo\s+demo-llmops-platform\s+3\.1\.4\s+dependency/);
  });

  it("validates a good config and exits 0", () => {
    const { code, out } = llmops(appWith("service:\n  name: svc\ndemo:\n  endpoint: http://127.0.0.1:4318\n  api_key: ${DEMO_KEY}\n"), "validate");
    expect(out).toContain('OK: configuration for platform "demo" is valid');
    expect(code).toBe(0);
  });

  it("lists every issue of a bad config with its path, exits 1, and prints no secret", () => {
    const { code, out } = llmops(appWith("service:\n  name: 3\ndemo:\n  endpoint: not a url\n  api_key: 5\n  endpont: typo\n"), "validate", "--platform", "demo");
    expect(code).toBe(1);
    expect(out).toContain('3 issues in the configuration for platform "demo"');
    expect(out).toContain("service.name: has the wrong type (expected string, received 3)");
    expect(out).toContain("demo.endpoint: fails the url check");
    expect(out).toContain("demo.api_key: has the wrong type (expected string, received [redacted])");
    expect(out).toContain('warning: Unknown configuration key "demo.endpont" (did you mean "endpoint"?)');
  });

  it("reads --config, and names the missing platform with its install line", () => {
    const app = appWith(undefined);
    writeFileSync(join(app, "other.yaml"), "service:\n  name: svc\ndemo:\n  endpoint: http://localhost:1\n");
    expect(llmops(app, "validate", "--config", "other.yaml").code).toBe(0);
    const missing = llmops(app, "validate", "--platform", "arize");
    expect(missing.code).toBe(1);
    expect(missing.out).toContain("PlatformNotFoundError");
    expect(missing.out).toContain("npm install @llmops/platform-arize");
  });

  it("prints usage for no command and for an unknown one", () => {
    expect(llmops(tmpdir()).code).toBe(2);
    const unknown = llmops(tmpdir(), "frobnicate");
    expect(unknown.code).toBe(2);
    expect(unknown.out).toContain("Usage:");
  });
});
