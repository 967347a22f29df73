import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runNode } from "@llmops-internal/test-support";

/**
 * Strict mode throws its ConfigurationError into the app, and an app that does not catch it dies the way Node prints
 * any uncaught error: the source line it was thrown from, then the message. The builds are minified, so that line
 * must stay a line and not be the whole of core's file (tens of kilobytes of code above the message the user needs).
 */
const coreDist = join(__dirname, "..", "..", "packages", "core", "dist");
const valibot = require.resolve("valibot", { paths: [coreDist] });

const platform = (v: string) => `({ name: "strict", configSection: "strict", packageName: "strict-platform", instrumentors: [],
  schema: ${v}.object({ endpoint: ${v}.string() }),
  createTracerProvider: ({ assembleTracerProvider }) => assembleTracerProvider({ exporters: [] }) })`;

describe("an uncaught strict-mode ConfigurationError", () => {
  const app = mkdtempSync(join(tmpdir(), "llmops-uncaught-"));
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "uncaught-app", private: true }));
  writeFileSync(
    join(app, "app.mjs"),
    `import { definePlatform, registerPlatform, getPlatform } from ${JSON.stringify(join(coreDist, "index.js"))};
import * as v from ${JSON.stringify(valibot)};
registerPlatform(definePlatform(${platform("v")}));
await getPlatform("strict").instrument({ validationMode: "strict", config: { service: { name: "app" } } });
// The app's own work (a server, say) keeps the process alive while the rejection surfaces.
setTimeout(() => {}, 5_000);`,
  );
  writeFileSync(
    join(app, "app.cjs"),
    `const { definePlatform, registerPlatform, getPlatform } = require(${JSON.stringify(join(coreDist, "index.cjs"))});
const v = require(${JSON.stringify(valibot)});
registerPlatform(definePlatform(${platform("v")}));
getPlatform("strict").instrument({ validationMode: "strict", config: { service: { name: "app" } } });
// The app's own work (a server, say) keeps the process alive while the rejection surfaces.
setTimeout(() => {}, 5_000);`,
  );

  it.each(["app.mjs", "app.cjs"])("%s: the process prints the message with its issue, not a page of minified code", async (entry) => {
    const run = await runNode([entry], { cwd: app });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('ConfigurationError: Invalid llmops configuration for platform "strict" (1 issue)');
    expect(run.stderr).toContain("strict.endpoint: is required");
    const longest = Math.max(...run.stderr.split("\n").map((line) => line.length));
    expect(longest).toBeLessThan(1_000);
    expect(run.stderr.length).toBeLessThan(5_000);
  });
});

describe("the built files", () => {
  const packagesDirectory = join(__dirname, "..", "..", "packages");
  const builtFiles = readdirSync(packagesDirectory).flatMap((name) =>
    readdirSync(join(packagesDirectory, name, "dist"), { recursive: true, encoding: "utf8" })
      .filter((file) => /\.(c|m)?js$/.test(file))
      .map((file) => join(packagesDirectory, name, "dist", file)),
  );

  it("exist (the check below reads them)", () => {
    expect(builtFiles.length).toBeGreaterThan(10);
  });

  // A string continued over a line break (a line ending in a backslash) is valid JavaScript, but a tool that re-indents
  // code it wraps (Rollup's CommonJS plugin) puts whitespace into the string: regular expressions built from one broke.
  it("continue no string over a line break", () => {
    const continued = builtFiles.filter((file) => /\\\r?\n/.test(readFileSync(file, "utf8")));
    expect(continued).toEqual([]);
  });
});
