import { copyFileSync } from "node:fs";
import { join } from "node:path";
import * as v from "valibot";
import { definePlatform, getPlatform, loadConfig, registerPlatform } from "@llmops/core";
import { checkCertificateFile } from "@llmops/core/otlp";
import { resolveConfig } from "../src/config/resolve-config";
import { aliasBomb, createTempApp, SEED_CONFIG_FILE } from "@llmops-internal/test-support";
import { resetProcessState } from "@llmops-internal/test-support/process-state";
import { memoryPlatform } from "./helpers";

/** The arize section as seed 000 §7.1 names it, for loading the seed's file unchanged. */
const seedArize = definePlatform({
  name: "arize",
  configSection: "arize",
  packageName: "@llmops/platform-arize",
  schema: v.object({
    endpoint: v.pipe(v.string(), v.url()),
    project_name: v.optional(v.string()),
    api_key: v.optional(v.string()),
    space_id: v.optional(v.string()),
    transport: v.optional(v.picklist(["http", "grpc"]), "http"),
    batch_spans: v.optional(v.boolean(), true),
    debug: v.optional(v.boolean(), false),
    certificate_file: v.optional(v.string()),
  }),
  instrumentors: [],
  createTracerProvider: () => Promise.reject(new Error("not used")),
});

describe("resolveConfig", () => {
  const { platform } = memoryPlatform();

  it("loads the seed 000 §7.1 file unchanged", async () => {
    const appRoot = createTempApp();
    copyFileSync(SEED_CONFIG_FILE, join(appRoot, "llmops.yaml"));
    const result = await resolveConfig({ platform: seedArize, appRoot, env: { ARIZE_API_KEY: "ak-123", ARIZE_SPACE_ID: "space-9" } });
    expect(result.issues).toEqual([]);
    expect(result.resolved).toEqual(
      expect.objectContaining({
        service: { name: "my-service", version: "1.0.0" },
        instrumentation: { google_adk: true, google_genai: true },
        validationMode: "permissive",
        file: join(appRoot, "llmops.yaml"),
        section: {
          endpoint: "http://localhost:6006/v1/traces",
          project_name: "my-project",
          api_key: "ak-123",
          space_id: "space-9",
          transport: "http",
          batch_spans: true,
          debug: false,
          certificate_file: "./certs/ca.pem",
        },
      }),
    );
    // This test platform registers no instrumentor of those names: warned, not an error.
    expect(result.warnings.join("\n")).toContain('instrumentation.google_adk: platform "arize" has no instrumentor');
  });

  it("reports the seed file's unset variables by key and variable, never by value", async () => {
    const appRoot = createTempApp();
    copyFileSync(SEED_CONFIG_FILE, join(appRoot, "llmops.yaml"));
    const result = await resolveConfig({ platform: seedArize, appRoot, env: {} });
    expect(result.resolved).toBeUndefined();
    expect(result.issues.map((issue) => issue.path)).toEqual(["arize.api_key", "arize.space_id"]);
    expect(result.issues[0]?.message).toContain("ARIZE_API_KEY");
  });

  it("reports unset variables only in the sections this platform reads", async () => {
    const appRoot = createTempApp();
    copyFileSync(SEED_CONFIG_FILE, join(appRoot, "llmops.yaml"));
    // The seed's arize section references ARIZE_API_KEY and ARIZE_SPACE_ID; the memory platform does not read it.
    const result = await resolveConfig({ platform, appRoot, env: {} });
    expect(result.issues).toEqual([]);
    expect(result.resolved?.service.name).toBe("my-service");
  });

  it("finds llmops.yaml, .llmopsrc.json, llmops.config.cjs and package.json#llmops in the app root", async () => {
    const cases: Record<string, string>[] = [
      { "llmops.yml": "service:\n  name: from-yml\n" },
      { ".llmopsrc.json": JSON.stringify({ service: { name: "from-rc" } }) },
      { "llmops.config.cjs": "module.exports = { service: { name: 'from-js' } };" },
    ];
    for (const files of cases) {
      const appRoot = createTempApp({ files });
      const result = await resolveConfig({ platform, appRoot, env: {} });
      expect(result.resolved?.service.name).toBe(`from-${Object.keys(files)[0]?.includes("rc") ? "rc" : Object.keys(files)[0]?.endsWith("cjs") ? "js" : "yml"}`);
    }
    const fromPackage = createTempApp({ manifest: { llmops: { service: { name: "from-package" } } } });
    expect((await resolveConfig({ platform, appRoot: fromPackage, env: {} })).resolved?.service.name).toBe("from-package");
  });

  it("takes explicit path over LLMOPS_CONFIG_PATH over the search over the inline object", async () => {
    const appRoot = createTempApp({
      files: { "llmops.yaml": "service: {name: searched}", "a.yaml": "service: {name: explicit}", "b.json": '{"service":{"name":"from-env"}}' },
    });
    const inline = { service: { name: "inline" } };
    const env = { LLMOPS_CONFIG_PATH: "b.json" };
    expect((await resolveConfig({ platform, appRoot, env, configPath: "a.yaml", inline })).resolved?.service.name).toBe("explicit");
    expect((await resolveConfig({ platform, appRoot, env, inline })).resolved?.service.name).toBe("from-env");
    expect((await resolveConfig({ platform, appRoot, env: {}, inline })).resolved?.service.name).toBe("searched");
    const bare = createTempApp({ manifest: { name: undefined } });
    expect((await resolveConfig({ platform, appRoot: bare, env: {}, inline })).resolved?.service.name).toBe("inline");
  });

  it("says when an inline configuration is left unread because a file was found first", async () => {
    const appRoot = createTempApp({ files: { "llmops.yaml": "service: {name: searched}" } });
    const inline = { service: { name: "inline" } };
    const beside = await resolveConfig({ platform, appRoot, env: {}, inline });
    expect(beside.warnings.filter((warning) => warning.startsWith("instrument({ config }) is not used"))).toEqual([
      `instrument({ config }) is not used: ${join(appRoot, "llmops.yaml")} was found first and is the configuration (sources are not merged). Remove the file, or put these values in it.`,
    ]);
    const alone = await resolveConfig({ platform, appRoot: createTempApp(), env: {}, inline });
    expect(alone.warnings.filter((warning) => warning.startsWith("instrument({ config })"))).toEqual([]);
  });

  it("defaults service.name to the app's package name, and requires it when there is none", async () => {
    const named = createTempApp({ manifest: { name: "my-app" } });
    expect((await resolveConfig({ platform, appRoot: named, env: {} })).resolved?.service.name).toBe("my-app");
    const unnamed = createTempApp({ manifest: { name: undefined } });
    const result = await resolveConfig({ platform, appRoot: unnamed, env: {} });
    expect(result.issues).toEqual([expect.objectContaining({ path: "service.name", message: "is required" })]);
  });

  it("collects every issue at once with path, expected, received and file", async () => {
    const appRoot = createTempApp({
      files: { "llmops.yaml": "service:\n  name: 42\ninstrumentation:\n  openai: maybe\nvalidation:\n  mode: sometimes\nmemory:\n  batch: 3\n" },
    });
    const result = await resolveConfig({ platform, appRoot, env: {} });
    const file = join(appRoot, "llmops.yaml");
    expect(result.issues).toEqual([
      expect.objectContaining({ path: "service.name", expected: "string", received: "42", file }),
      expect.objectContaining({ path: "instrumentation.openai", expected: "boolean", received: '"maybe"', file }),
      expect.objectContaining({ path: "validation.mode", expected: '("strict" | "permissive")', received: '"sometimes"', file }),
      expect.objectContaining({ path: "memory.batch", expected: "boolean", received: "3", file }),
    ]);
  });

  it("never prints a secret: secret-looking keys and substituted values are redacted", async () => {
    const appRoot = createTempApp({ files: { "llmops.yaml": "service:\n  name: x\n  environment: ${DEPLOY_ENV}\nmemory:\n  api_key: '12345'\n  label: ${LABEL}\n" } });
    const result = await resolveConfig({ platform, appRoot, env: { DEPLOY_ENV: "sk-very-secret-1", LABEL: "sk-very-secret-2" } });
    expect(result.resolved).toBeDefined();
    const bad = createTempApp({ files: { "llmops.yaml": "service:\n  name: x\n  environment: 99\nmemory:\n  api_key: 12345\n  label: ${LABEL}\n" } });
    const failing = await resolveConfig({ platform, appRoot: bad, env: { LABEL: "7" } });
    const text = JSON.stringify(failing.issues);
    expect(failing.issues.map((issue) => issue.path)).toEqual(["service.environment", "memory.api_key"]);
    expect(text).not.toContain("12345");
    expect(failing.issues[1]?.received).toBe("[redacted]");
  });

  it("warns about unknown keys with a did-you-mean, and misspelt sections", async () => {
    const appRoot = createTempApp({ files: { "llmops.yaml": "servce:\n  name: typo\nservice:\n  name: x\n  verison: '1'\nmemory:\n  lable: y\nmlflow:\n  tracking_uri: http://x\n" } });
    const result = await resolveConfig({ platform, appRoot, env: {} });
    expect(result.issues).toEqual([]);
    expect(result.warnings).toEqual(
      expect.arrayContaining([
        'Unknown configuration section "servce": did you mean "service"?',
        'Unknown configuration key "service.verison" (did you mean "version"?); it is ignored.',
        'Unknown configuration key "memory.lable" (did you mean "label"?); it is ignored.',
      ]),
    );
    expect(result.warnings.join("\n")).not.toContain("mlflow");
  });

  it("accepts the keys of removed instrumentors in every mode, with a warning that says why they are ignored", async () => {
    const appRoot = createTempApp({ files: { "llmops.yaml": "service:\n  name: x\nvalidation:\n  mode: strict\ninstrumentation:\n  openai_agents: true\n  beeai: false\n" } });
    const result = await resolveConfig({ platform, appRoot, env: {} });
    expect(result.issues).toEqual([]);
    expect(result.warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^instrumentation\.openai_agents: llmops no longer applies this instrumentor \(.*trace processor.*\); the key is ignored\./),
        expect.stringMatching(/^instrumentation\.beeai: llmops no longer applies this instrumentor \(.*beeai-framework 0\.1\.x.*\); the key is ignored\./),
      ]),
    );
  });

  it("applies environment overrides after substitution and before validation", async () => {
    const appRoot = createTempApp({ files: { "llmops.yaml": "service:\n  name: file\nvalidation:\n  mode: permissive\n" } });
    const result = await resolveConfig({ platform, appRoot, env: { OTEL_SERVICE_NAME: "from-env", LLMOPS_VALIDATION_MODE: "strict", MEMORY_API_KEY: "k" } });
    expect(result.resolved?.service.name).toBe("from-env");
    expect(result.mode).toBe("strict");
    expect(result.resolved?.section).toEqual({ label: "default", api_key: "k", batch: false });
  });

  it("reports a missing explicit file and an unparsable file as issues, not exceptions", async () => {
    const appRoot = createTempApp({ files: { "broken.yaml": "service:\n  name: [unclosed\n" } });
    const missing = await resolveConfig({ platform, appRoot, env: {}, configPath: "nope.yaml" });
    expect(missing.issues[0]?.message).toContain("configuration file not found (configPath = nope.yaml");
    const broken = await resolveConfig({ platform, appRoot, env: {}, configPath: "broken.yaml" });
    // The parser's reason with line and column; nothing more: validating an empty config in its place adds only false issues.
    expect(broken.issues).toEqual([
      { path: "", file: join(appRoot, "broken.yaml"), message: `YAML syntax error at ${join(appRoot, "broken.yaml")}:3:1: unexpected end of the stream within a flow collection` },
    ]);
    expect(broken.source).toEqual({ kind: "unreadable", file: join(appRoot, "broken.yaml"), via: "option" });
    const notObject = createTempApp({ files: { "llmops.yaml": "- a\n- b\n" } });
    expect((await resolveConfig({ platform, appRoot: notObject, env: {} })).issues[0]?.expected).toBe("an object");
  });

  it("reads export.queue_memory_mb from the file or LLMOPS_EXPORT_QUEUE_MEMORY_MB (which wins), and validates it", async () => {
    const appRoot = createTempApp({ files: { "llmops.yaml": "service: {name: p}\nexport:\n  queue_memory_mb: 32\n" } });
    expect((await resolveConfig({ platform, appRoot, env: {} })).resolved?.export).toEqual({ queueMemoryMb: 32 });
    expect((await resolveConfig({ platform, appRoot, env: { LLMOPS_EXPORT_QUEUE_MEMORY_MB: "64" } })).resolved?.export).toEqual({ queueMemoryMb: 64 });
    const none = createTempApp({ files: { "llmops.yaml": "service: {name: p}\n" } });
    expect((await resolveConfig({ platform, appRoot: none, env: {} })).resolved?.export).toEqual({});
    const bad = await resolveConfig({ platform, appRoot: none, env: { LLMOPS_EXPORT_QUEUE_MEMORY_MB: "lots" } });
    expect(bad.issues.map((issue) => issue.path)).toEqual(["export.queue_memory_mb"]);
    const zero = createTempApp({ files: { "llmops.yaml": "service: {name: p}\nexport:\n  queue_memory_mb: 0\n" } });
    expect((await resolveConfig({ platform, appRoot: zero, env: {} })).issues[0]?.message).toContain("at least 1");
  });

  it("reads the privacy section into OpenInference trace-config options, and validates it", async () => {
    const appRoot = createTempApp({ files: { "llmops.yaml": "service: {name: p}\nprivacy:\n  hide_inputs: true\n  hide_output_text: false\n  base64_image_max_length: 1000\n" } });
    expect((await resolveConfig({ platform, appRoot, env: {} })).resolved?.privacy).toEqual({ hideInputs: true, hideOutputText: false, base64ImageMaxLength: 1000 });
    const bad = createTempApp({ files: { "llmops.yaml": "service: {name: p}\nprivacy:\n  hide_inputs: yes please\n  base64_image_max_length: -1\n  hide_input: true\n" } });
    const result = await resolveConfig({ platform, appRoot: bad, env: {} });
    expect(result.issues.map((issue) => issue.path)).toEqual(["privacy.hide_inputs", "privacy.base64_image_max_length"]);
    expect(result.warnings).toContain('Unknown configuration key "privacy.hide_input" (did you mean "hide_inputs"?); it is ignored.');
  });

  it("is what loadConfig() returns", async () => {
    const appRoot = createTempApp({ files: { "llmops.yaml": "service:\n  name: via-load\n" } });
    const loaded = await loadConfig(platform, { appRoot, env: {} });
    expect(loaded).toEqual(expect.objectContaining({ file: join(appRoot, "llmops.yaml"), mode: "permissive", issues: [] }));
    expect(loaded.config?.service.name).toBe("via-load");
  });
});

describe("config files that could take the process down", () => {
  const { platform } = memoryPlatform();

  it("refuses an alias bomb by its expanded size, quickly, naming the file", async () => {
    const appRoot = createTempApp({ files: { "llmops.yaml": aliasBomb(5) } });
    const result = await resolveConfig({ platform, appRoot, env: {} });
    const file = join(appRoot, "llmops.yaml");
    expect(result.resolved).toBeUndefined();
    expect(result.issues).toEqual([expect.objectContaining({ file, message: `${file} holds more than 10000 values (YAML aliases and shared values count at every place they are used)` })]);
  });

  it("refuses nesting deeper than 32 levels and files over 1 MiB, naming the file", async () => {
    const deep = createTempApp({ files: { "llmops.json": `{"service":{"name":"x"},"memory":${"[".repeat(40)}${"]".repeat(40)}}` } });
    const depth = await resolveConfig({ platform, appRoot: deep, env: {} });
    expect(depth.issues.map((issue) => issue.message)).toEqual([`${join(deep, "llmops.json")} nests objects and arrays deeper than 32 levels`]);
    const large = createTempApp({ files: { "llmops.yaml": `service: {name: x}\n# ${"x".repeat(1_048_576)}\n` } });
    const size = await resolveConfig({ platform, appRoot: large, env: {} });
    expect(size.issues[0]?.message).toMatch(new RegExp(`^could not read the configuration file ${join(large, "llmops.yaml")}: it is \\d+ bytes, over the limit of 1048576 bytes$`));
  });

  it("refuses an inline configuration that refers to itself", async () => {
    const cyclic: Record<string, unknown> = { service: { name: "x" } };
    cyclic.memory = { again: cyclic };
    const result = await resolveConfig({ platform, appRoot: createTempApp(), env: {}, inline: cyclic });
    expect(result.issues).toEqual([{ path: "memory.again", message: "refers to itself (a cycle); the inline configuration cannot be read as a configuration" }]);
  });

  it("reads a directory named as the config file as one clear issue, not also as 'no config file'", async () => {
    const appRoot = createTempApp({ files: { "conf.d/.keep": "" } });
    const result = await resolveConfig({ platform, appRoot, env: {}, configPath: "conf.d" });
    expect(result.issues).toEqual([{ path: "", file: join(appRoot, "conf.d"), message: `could not read the configuration file ${join(appRoot, "conf.d")}: it is a directory, not a regular file` }]);
    resetProcessState();
    registerPlatform(platform);
    const thrown = await getPlatform("memory", { appRoot })
      .instrument({ appRoot, configPath: "conf.d", validationMode: "strict", global: false, flushOnExit: false })
      .catch((error: Error) => error);
    expect((thrown as Error).message).toContain("it is a directory, not a regular file");
    expect((thrown as Error).message).not.toMatch(/no config file/i);
    expect((thrown as Error).message.match(/^ {2}- /gm)).toHaveLength(1);
  });

  it("gives line, column and the parser's reason for YAML and JSON syntax errors, and never the text around them", async () => {
    const appRoot = createTempApp({
      files: {
        "a.yaml": "service:\n  name: x\nmemory:\n  api_key: sk-yaml-secret\n\tlabel: tab\n",
        "b.json": '{\n  "service": {"name": "x"},\n  "memory": {"api_key": "sk-json-secret" "label": "y"}\n}\n',
      },
    });
    const yaml = await resolveConfig({ platform, appRoot, env: {}, configPath: "a.yaml" });
    expect(yaml.issues.map((issue) => issue.message)).toEqual([`YAML syntax error at ${join(appRoot, "a.yaml")}:5:1: tab characters must not be used in indentation`]);
    const json = await resolveConfig({ platform, appRoot, env: {}, configPath: "b.json" });
    expect(json.issues.map((issue) => issue.message)).toEqual([`JSON syntax error at ${join(appRoot, "b.json")}:3:42: expected "," or "}" after a property value, found '"'`]);
    expect(JSON.stringify([yaml, json])).not.toMatch(/sk-(yaml|json)-secret/);
  });

  it("reports an unset ${VAR} once, not again as an empty value", async () => {
    const appRoot = createTempApp({ files: { "llmops.yaml": "service:\n  name: ${SERVICE_NAME_NOT_SET}\n" } });
    const result = await resolveConfig({ platform, appRoot, env: {} });
    expect(result.issues).toEqual([expect.objectContaining({ path: "service.name", message: "references the environment variable SERVICE_NAME_NOT_SET, which is not set" })]);
  });

  it("refuses __proto__, constructor and prototype keys from YAML, JSON and inline objects, with their paths", async () => {
    const yaml = createTempApp({ files: { "llmops.yaml": "service: {name: x}\nmemory:\n  __proto__: {label: planted}\n  constructor: {label: planted}\n" } });
    const fromYaml = await resolveConfig({ platform, appRoot: yaml, env: {} });
    expect(fromYaml.issues.map((issue) => issue.path)).toEqual(["memory.__proto__", "memory.constructor"]);
    expect(fromYaml.resolved).toBeUndefined();
    const json = createTempApp({ files: { "llmops.json": '{"service":{"name":"x"},"memory":{"prototype":1,"__proto__":{"label":"planted"}}}' } });
    expect((await resolveConfig({ platform, appRoot: json, env: {} })).issues.map((issue) => issue.path)).toEqual(["memory.prototype", "memory.__proto__"]);
    // In a JavaScript object literal, __proto__ sets the prototype: the section would inherit `label`.
    const inline = await resolveConfig({ platform, appRoot: createTempApp(), env: {}, inline: { service: { name: "x" }, memory: { __proto__: { label: "planted" } } } });
    expect(inline.issues).toEqual([expect.objectContaining({ path: "memory", message: expect.stringContaining("inherits keys from a prototype of its own") })]);
    expect(inline.resolved).toBeUndefined();
  });

  it("runs the platform's checkConfig after validation, reporting its issues with the file; a throwing check is an issue", async () => {
    const checked = definePlatform({
      name: "memory",
      configSection: "memory",
      packageName: "@llmops/platform-memory",
      instrumentors: [],
      createTracerProvider: () => Promise.reject(new Error("not used")),
      schema: v.object({ certificate_file: v.optional(v.string()) }),
      checkConfig: ({ section, appRoot }) => {
        if (section.certificate_file === "throw") throw new Error("check broke");
        const issue = checkCertificateFile({ file: section.certificate_file, appRoot, key: "memory.certificate_file", server: "the collector" });
        return issue === undefined ? [] : [issue];
      },
    });
    const appRoot = createTempApp({ files: { "llmops.yaml": "service: {name: x}\nmemory: {certificate_file: certs/ca.pem}\n" } });
    const result = await resolveConfig({ platform: checked, appRoot, env: {} });
    expect(result.issues).toEqual([
      {
        path: "memory.certificate_file",
        file: join(appRoot, "llmops.yaml"),
        message: `cannot read ${join(appRoot, "certs/ca.pem")}: it does not exist. Point it at the PEM file of the CA that signed the collector's certificate.`,
      },
    ]);
    const throwing = await resolveConfig({ platform: checked, appRoot: createTempApp(), env: {}, inline: { service: { name: "x" }, memory: { certificate_file: "throw" } } });
    expect(throwing.issues).toEqual([{ path: "memory", message: 'platform "memory" could not check its section: check broke' }]);
  });
});

describe("config search without cosmiconfig", () => {
  afterEach(() => {
    jest.dontMock("cosmiconfig");
    jest.resetModules();
  });

  it("does not load cosmiconfig when the app root holds no config file and package.json has no llmops key", async () => {
    jest.resetModules();
    jest.doMock("cosmiconfig", () => {
      throw new Error("cosmiconfig was loaded");
    });
    const { locateConfig } = await import("../src/config/locate");
    const appRoot = createTempApp({ manifest: { name: "plain-app", description: "mentions llmops only in prose" } });
    await expect(locateConfig({ appRoot, env: {}, inline: { service: { name: "inline" } } })).resolves.toEqual({
      source: { kind: "inline", config: { service: { name: "inline" } } },
      issues: [],
    });
    const none = await locateConfig({ appRoot, env: {} });
    expect(none.source.kind).toBe("none");
    // A config file present: the search needs cosmiconfig (here: the mock that throws, reported as an issue).
    const withFile = createTempApp({ files: { "llmops.yaml": "service:\n  name: from-file\n" } });
    const located = await locateConfig({ appRoot: withFile, env: {} }).catch((error: Error) => error);
    expect(located instanceof Error ? located.message : JSON.stringify(located)).toContain("cosmiconfig was loaded");
  });
});
