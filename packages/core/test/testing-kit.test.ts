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
