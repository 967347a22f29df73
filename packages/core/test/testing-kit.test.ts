import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as v from "valibot";
import { definePlatform } from "@llmops/core";
import { checkPlatform } from "@llmops/core/testing";
import { memoryPlatform } from "./helpers";

describe("checkPlatform (the conformance kit)", () => {
  it("passes a platform that keeps the contract", async () => {
    const report = await checkPlatform(memoryPlatform().platform, { sampleSection: { label: "x" } });
    expect(report).toEqual({ ok: true, problems: [] });
  });

  it("names each broken rule", async () => {
    const broken = definePlatform({
      name: "Bad Name",
      configSection: "",
      packageName: "",
      schema: v.object({ endpoint: v.string() }),
      environment: [{ variable: "lower_case", key: "endpoint" }],
      instrumentors: [
        { key: "a", packageName: "p", exportName: "E", moduleName: "m" },
        { key: "a", packageName: "p", exportName: "E", moduleName: "m", moreModules: [{ moduleName: "m" }] },
      ],
      createTracerProvider: () => Promise.reject(new Error("unused")),
    });
    const report = await checkPlatform(broken, { sampleSection: { endpoint: 3 } });
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      "name must be a lower-case identifier (a-z, 0-9, -)",
      "configSection must be a non-empty string",
      "packageName must name the npm package, for install hints",
      'instrumentor key "a" appears twice',
      'instrumentor "a" has a moreModules entry without a module name of its own',
      'environment variable "lower_case" should be UPPER_SNAKE_CASE',
      expect.stringContaining("schema rejects the sample section"),
    ]);
  });

  it("reports a provider factory that throws or a provider without flush", async () => {
    const throwing = definePlatform({ ...memoryPlatform().platform, createTracerProvider: () => Promise.reject(new Error("no")) });
    expect((await checkPlatform(throwing, { sampleSection: {} })).problems).toEqual(["createTracerProvider threw with a valid section: no"]);
    const incomplete = definePlatform({ ...memoryPlatform().platform, createTracerProvider: () => Promise.resolve({ getTracer: () => ({}) }) as never });
    expect((await checkPlatform(incomplete, { sampleSection: {} })).problems).toEqual(["the provider has no forceFlush()", "the provider has no shutdown()"]);
  });
});

describe("checkPlatform's package checks (as an app installs the package)", () => {
  beforeEach(() => jest.spyOn(console, "error").mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());
  const core = join(__dirname, "..");
  const roots: string[] = [];
  afterAll(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  /** A third-party package that gets four things wrong: its field's name, a heavy import, a printed secret, and no export. */
  function badPackage(): string {
    const root = mkdtempSync(join(tmpdir(), "llmops-bad-platform-"));
    roots.push(root);
    mkdirSync(join(root, "node_modules", "@llmops"), { recursive: true });
    mkdirSync(join(root, "node_modules", "@opentelemetry"), { recursive: true });
    symlinkSync(core, join(root, "node_modules", "@llmops", "core"), "dir");
    symlinkSync(realpathSync(join(core, "node_modules", "@opentelemetry", "sdk-trace-base")), join(root, "node_modules", "@opentelemetry", "sdk-trace-base"), "dir");
    writeFileSync(
      join(root, "package.json"),
      JSON.stringify({ name: "bad-llmops-platform", version: "1.0.0", main: "index.cjs", llmops: { platform: { name: "not-bad", configSection: "bad", entry: "." } } }),
    );
    writeFileSync(
      join(root, "index.cjs"),
      `"use strict";
require("@opentelemetry/sdk-trace-base");
const v = require(require.resolve("valibot", { paths: [${JSON.stringify(core)}] }));
const { definePlatform } = require("@llmops/core");
exports.platform = definePlatform({
  name: "bad", configSection: "bad", packageName: "bad-llmops-platform", instrumentors: [],
  schema: v.object({ endpoint: v.string(), api_key: v.string() }),
  createTracerProvider(context) {
    console.error("connecting with key " + context.section.api_key);
    return context.assembleTracerProvider({ exporters: [] });
  },
});
`,
    );
    return root;
  }

  it("names each thing a third-party package gets wrong", async () => {
    const directory = badPackage();
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { platform } = require(join(directory, "index.cjs")) as { platform: Parameters<typeof checkPlatform>[0] };
    const report = await checkPlatform(platform, {
      sampleSection: { endpoint: "http://127.0.0.1:1", api_key: "bad-secret-5521" },
      brokenSection: { endpoint: 1, api_key: "x" },
      sectionFor: (endpoint) => ({ endpoint, api_key: "bad-secret-5521" }),
      packageDirectory: directory,
    });
    expect(report.problems).toEqual(
      expect.arrayContaining([
        'package.json llmops.platform.name is "not-bad", the platform\'s name is "bad"',
        expect.stringContaining("importing the package loads what should load inside instrument(): "),
        expect.stringContaining("did not export the span to the kit's receiver"),
        expect.stringContaining("a secret of the section (ba…) appears in what the package printed"),
      ]),
    );
  }, 120_000);

  it("reports a broken section that the schema accepts", async () => {
    const report = await checkPlatform(memoryPlatform().platform, { sampleSection: { label: "x" }, brokenSection: { label: "still fine" } });
    expect(report.problems).toEqual(["schema accepts the broken section"]);
  });
});
