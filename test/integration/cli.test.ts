import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { aliasBomb } from "@llmops-internal/test-support";
import { boundedNode, MAX_RSS_KB } from "./support/bounded-node";
import { cleanEnvironment, SEED_CONFIG_FILE } from "@llmops-internal/test-support";

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
       environment: [{ variable: "DEMO_ENDPOINT", key: "endpoint" }],
       createTracerProvider: async () => { throw new Error("unused"); } };`,
  );
  if (config !== undefined) writeFileSync(join(root, "llmops.yaml"), config);
  return root;
}

function llmops(cwd: string, ...args: string[]) {
  return llmopsWith({}, cwd, ...args);
}

function llmopsWith(env: Record<string, string>, cwd: string, ...args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: "utf8", env: cleanEnvironment({ DEMO_KEY: "sk-cli-secret-value", ...env }) });
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

  it("names the environment variable a bad value came from: the override's alone, a ${VAR}'s with the file", () => {
    const app = appWith("service:\n  name: svc\ndemo:\n  endpoint: http://127.0.0.1:4318\n  api_key: ${DEMO_TOKEN}\n");
    const { code, out } = llmopsWith({ DEMO_ENDPOINT: "not a url", DEMO_TOKEN: "true" }, app, "validate");
    expect(code).toBe(1);
    expect(out).toContain("  - demo.endpoint: fails the url check (received [redacted]) (from DEMO_ENDPOINT)\n");
    expect(out).toContain(`  - demo.api_key: has the wrong type (expected string, received [redacted]) (from DEMO_TOKEN, referenced in ${join(app, "llmops.yaml")})\n`);
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

  it("refuses a YAML alias bomb in an unread section at once, in bounded memory, naming the file", () => {
    const app = appWith(`${aliasBomb(10)}demo:\n  endpoint: http://127.0.0.1:4318\n`);
    const run = boundedNode(app, [cli, "validate"]);
    expect(run.killed).toBe(false);
    expect(run.code).toBe(1);
    expect(run.out).toContain(`${join(app, "llmops.yaml")} holds more than 10000 values (YAML aliases and shared values count at every place they are used)`);
    expect(run.maxRssKb).toBeLessThan(MAX_RSS_KB);
  });

  it("reads only regular files: a FIFO, by --config or as llmops.yaml in the app root, fails at once with a clear message", () => {
    const app = appWith(undefined);
    execFileSync("mkfifo", [join(app, "pipe.yaml")]);
    const explicit = boundedNode(app, [cli, "validate", "--config", "pipe.yaml"]);
    expect(explicit.killed).toBe(false);
    expect(explicit.code).toBe(1);
    expect(explicit.out).toContain(`could not read the configuration file ${join(app, "pipe.yaml")}: it is a FIFO (named pipe), not a regular file`);
    execFileSync("mkfifo", [join(app, "llmops.yaml")]);
    const searched = boundedNode(app, [cli, "validate"]);
    expect(searched.killed).toBe(false);
    expect(searched.out).toContain(`could not read the configuration file ${join(app, "llmops.yaml")}: it is a FIFO (named pipe), not a regular file`);
  });

  it("gives a syntax error's line, column and reason, and no false 'no config file' or 'is required' after it", () => {
    const app = appWith("service:\n  name: svc\ndemo:\n  endpoint: [unclosed\n");
    const yaml = llmops(app, "validate");
    expect(yaml.code).toBe(1);
    expect(yaml.out).toContain(`1 issue in the configuration for platform "demo" (${join(app, "llmops.yaml")}):`);
    expect(yaml.out).toContain(`YAML syntax error at ${join(app, "llmops.yaml")}:5:1: unexpected end of the stream within a flow collection`);
    expect(yaml.out).not.toMatch(/no config file|is required/);
    writeFileSync(join(app, "bad.json"), '{"service": {"name": "svc"},\n "demo": {"endpoint": "http://x" "api_key": "sk-json-secret"}}');
    const json = llmops(app, "validate", "--config", "bad.json");
    expect(json.out).toContain(`JSON syntax error at ${join(app, "bad.json")}:2:34: expected "," or "}" after a property value, found '"'`);
    expect(json.out).not.toMatch(/no config file|is required|sk-json-secret/);
  });

  it("says that a JavaScript config ran its code", () => {
    const app = appWith(undefined);
    writeFileSync(join(app, "llmops.config.cjs"), "module.exports = { service: { name: 'svc' }, demo: { endpoint: 'http://127.0.0.1:4318' } };");
    const { code, out } = llmops(app, "validate");
    expect(code).toBe(0);
    expect(out).toContain(`note: ${join(app, "llmops.config.cjs")} is JavaScript or TypeScript: reading it ran its code, as instrument() does.`);
  });

  it("validate --strict fails on the seed's config with a missing certificate_file, as strict instrument() does", () => {
    const app = mkdtempSync(join(tmpdir(), "llmops-cli-seed-"));
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "seed-app", dependencies: { "@llmops/platform-arize": "*" } }));
    mkdirSync(join(app, "node_modules", "@llmops"), { recursive: true });
    symlinkSync(join(__dirname, "..", "..", "packages", "platform-arize"), join(app, "node_modules", "@llmops", "platform-arize"), "dir");
    copyFileSync(SEED_CONFIG_FILE, join(app, "llmops.yaml"));
    const env = { ARIZE_API_KEY: "ak-seed", ARIZE_SPACE_ID: "space-seed" };
    const issue = `arize.certificate_file: cannot read ${join(app, "certs", "ca.pem")}: it does not exist`;
    const validate = spawnSync(process.execPath, [cli, "validate", "--strict"], { cwd: app, encoding: "utf8", env: cleanEnvironment(env) });
    expect(validate.stdout + validate.stderr).toContain(issue);
    expect(validate.status).toBe(1);
    const instrument = spawnSync(
      process.execPath,
      [
        "-e",
        `require(${JSON.stringify(join(coreDist, "index.cjs"))}).getPlatform("arize").instrument({ validationMode: "strict", global: false, flushOnExit: false })
           .then(() => console.log("STARTED"), (error) => console.log(error.name + ": " + error.message));`,
      ],
      { cwd: app, encoding: "utf8", env: cleanEnvironment(env) },
    );
    expect(instrument.stdout).toContain(`ConfigurationError: `);
    expect(instrument.stdout).toContain(issue);
    // One statement about the file: not also "not used over plain HTTP".
    expect(validate.stdout + instrument.stdout + instrument.stderr).not.toContain("is not used");
  });
});
