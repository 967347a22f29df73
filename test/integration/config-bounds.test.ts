import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { aliasBomb } from "@llmops-internal/test-support";
import { boundedNode, MAX_RSS_KB } from "./support/bounded-node";

/**
 * A config file cannot take an app down: `instrument()` of the built core, in permissive mode, in a child process
 * with a small heap and a kill timeout, meets an alias bomb and FIFOs where its config would be. Each call returns
 * an inactive handle at once, warns naming the file, and the process stays under the memory cap.
 */
const coreIndex = join(__dirname, "..", "..", "packages", "core", "dist", "index.cjs");

/** An app with a platform "demo" whose section needs nothing. */
function demoApp(): string {
  const root = mkdtempSync(join(tmpdir(), "llmops-bounds-"));
  writeFileSync(join(root, "package.json"), JSON.stringify({ name: "bounds-app", dependencies: { "demo-llmops-platform": "1.0.0" } }));
  const pkg = join(root, "node_modules", "demo-llmops-platform");
  mkdirSync(pkg, { recursive: true });
  writeFileSync(join(pkg, "package.json"), JSON.stringify({ name: "demo-llmops-platform", version: "1.0.0", main: "index.cjs", llmops: { platform: { name: "demo", configSection: "demo" } } }));
  writeFileSync(
    join(pkg, "index.cjs"),
    `const v = require(require.resolve("valibot", { paths: [${JSON.stringify(join(coreIndex, ".."))}] }));
     exports.platform = { name: "demo", configSection: "demo", packageName: "demo-llmops-platform", instrumentors: [],
       schema: v.object({ label: v.optional(v.string()) }),
       createTracerProvider: async () => { throw new Error("not reached in these tests"); } };`,
  );
  return root;
}

/** Runs `instrument()` (permissive) in a bounded child and returns what it printed and whether tracing started. */
function instrumentIn(app: string, options: Record<string, unknown> = {}) {
  const script = `require(${JSON.stringify(coreIndex)}).getPlatform("demo").instrument(${JSON.stringify({ global: false, flushOnExit: false, ...options })})
    .then((handle) => console.log("ACTIVE " + handle.active), (error) => console.log("THREW " + error.message));`;
  return boundedNode(app, ["-e", script]);
}

describe("instrument() against hostile config files", () => {
  it("an alias bomb in a section no platform reads: an inactive handle at once, bounded memory, the file named", () => {
    const app = demoApp();
    writeFileSync(join(app, "llmops.yaml"), aliasBomb(10));
    const run = instrumentIn(app);
    expect(run.killed).toBe(false);
    expect(run.out).toContain("ACTIVE false");
    expect(run.out).toContain(`${join(app, "llmops.yaml")} holds more than 10000 values`);
    expect(run.maxRssKb).toBeLessThan(MAX_RSS_KB);
  });

  it("a FIFO as llmops.yaml in the app root, or named by configPath: an inactive handle at once, saying what it is", () => {
    const app = demoApp();
    execFileSync("mkfifo", [join(app, "llmops.yaml")]);
    const searched = instrumentIn(app);
    expect(searched.killed).toBe(false);
    expect(searched.out).toContain("ACTIVE false");
    expect(searched.out).toContain(`could not read the configuration file ${join(app, "llmops.yaml")}: it is a FIFO (named pipe), not a regular file`);
    const explicit = instrumentIn(app, { configPath: "llmops.yaml", validationMode: "strict" });
    expect(explicit.killed).toBe(false);
    expect(explicit.out).toContain("THREW ");
    expect(explicit.out).toContain("it is a FIFO (named pipe), not a regular file");
    expect(explicit.out).not.toMatch(/no config file was found/i);
  });
});
