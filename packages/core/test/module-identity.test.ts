import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { entryPatterns, identifyModule } from "../src/instrumentors/module-identity";

/** Packages on disk as npm, pnpm and a bundler lay them out. */
function layout(): string {
  const root = mkdtempSync(join(tmpdir(), "llmops-identity-"));
  const files: Record<string, string> = {
    "package.json": JSON.stringify({ name: "app", version: "1.0.0" }),
    // Conditional exports with nested conditions, a subpath and a pattern.
    "node_modules/openai/package.json": JSON.stringify({
      name: "openai",
      exports: {
        ".": { import: { types: "./index.d.mts", default: "./index.mjs" }, require: "./index.js" },
        "./resources/*": { import: "./resources/*.mjs", require: "./resources/*.js" },
        "./package.json": "./package.json",
      },
    }),
    "node_modules/openai/index.mjs": "export {};",
    "node_modules/openai/index.js": "",
    "node_modules/openai/core.mjs": "export {};",
    "node_modules/openai/resources/chat.mjs": "export {};",
    // A subpath target in a package whose build folder has its own nameless package.json.
    "node_modules/@langchain/core/package.json": JSON.stringify({
      name: "@langchain/core",
      exports: { "./callbacks/manager": { import: "./dist/callbacks/manager.js", require: "./dist/callbacks/manager.cjs" } },
    }),
    "node_modules/@langchain/core/dist/package.json": JSON.stringify({ type: "module" }),
    "node_modules/@langchain/core/dist/callbacks/manager.js": "export {};",
    "node_modules/@langchain/core/dist/callbacks/manager.cjs": "",
    // No exports: main.
    "node_modules/old-client/package.json": JSON.stringify({ name: "old-client", main: "lib/main.js" }),
    "node_modules/old-client/lib/main.js": "",
    // pnpm's store: the package under a versioned folder.
    "node_modules/.pnpm/openai@6.0.0/node_modules/openai/package.json": JSON.stringify({ name: "openai", exports: { ".": { import: "./index.mjs", require: "./index.js" } } }),
    "node_modules/.pnpm/openai@6.0.0/node_modules/openai/index.mjs": "export {};",
    // A package in a folder named like openai that is not openai.
    "node_modules/not-openai/node_modules/openai-fork/package.json": JSON.stringify({ name: "openai-fork", main: "index.mjs" }),
    "node_modules/not-openai/node_modules/openai-fork/index.mjs": "export {};",
  };
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  mkdirSync(join(root, ".next", "node_modules"), { recursive: true });
  symlinkSync(join("..", "..", "node_modules", "openai"), join(root, ".next", "node_modules", "openai-f0ed28f090f94724"), "dir");
  return root;
}

describe("recognising a module by its package and path", () => {
  const root = layout();
  const targets = new Set(["openai", "@langchain/core/callbacks/manager", "old-client"]);

  it("takes a package's entry files under every condition as the target, wherever the package sits", () => {
    expect(identifyModule(join(root, "node_modules/openai/index.mjs"), targets)).toBe("openai");
    expect(identifyModule(join(root, "node_modules/openai/index.js"), targets)).toBe("openai");
    expect(identifyModule(join(root, "node_modules/.pnpm/openai@6.0.0/node_modules/openai/index.mjs"), targets)).toBe("openai");
    // Through the bundler's alias, when symlinks are kept: the package.json above says "openai".
    expect(identifyModule(join(root, ".next/node_modules/openai-f0ed28f090f94724/index.mjs"), targets)).toBe("openai");
    expect(identifyModule(join(root, "node_modules/@langchain/core/dist/callbacks/manager.js"), targets)).toBe("@langchain/core/callbacks/manager");
    expect(identifyModule(join(root, "node_modules/@langchain/core/dist/callbacks/manager.cjs"), targets)).toBe("@langchain/core/callbacks/manager");
    expect(identifyModule(join(root, "node_modules/old-client/lib/main.js"), targets)).toBe("old-client");
  });

  it("does not take a package's internal files, another package, or a package no target names", () => {
    expect(identifyModule(join(root, "node_modules/openai/core.mjs"), targets)).toBeUndefined();
    expect(identifyModule(join(root, "node_modules/openai/resources/chat.mjs"), targets)).toBeUndefined();
    expect(identifyModule(join(root, "node_modules/not-openai/node_modules/openai-fork/index.mjs"), targets)).toBeUndefined();
    expect(identifyModule(join(root, "node_modules/openai/index.mjs"), new Set(["@anthropic-ai/sdk"]))).toBeUndefined();
    expect(identifyModule(join(root, "no-such-folder/index.mjs"), targets)).toBeUndefined();
  });

  it("gives the ES module loader patterns that match the entry files' URLs of every copy, and nothing else", () => {
    const patterns = entryPatterns("openai", root);
    const matches = (path: string): boolean => patterns.some((pattern) => pattern.test(pathToFileURL(path).href));
    expect(patterns.length).toBeGreaterThan(0);
    expect(matches(join(root, "node_modules/openai/index.mjs"))).toBe(true);
    expect(matches(join(root, "node_modules/openai/index.js"))).toBe(true);
    expect(matches(join(root, "node_modules/.pnpm/openai@6.0.0/node_modules/openai/index.mjs"))).toBe(true);
    expect(matches(join(root, ".next/node_modules/openai-f0ed28f090f94724/index.mjs"))).toBe(true);
    expect(matches(join(root, "node_modules/openai/core.mjs"))).toBe(false);
    expect(matches(join(root, "node_modules/not-openai/node_modules/openai-fork/index.mjs"))).toBe(false);
    expect(entryPatterns("@langchain/core/callbacks/manager", root).some((pattern) => pattern.test(pathToFileURL(join(root, "node_modules/@langchain/core/dist/callbacks/manager.js")).href))).toBe(
      true,
    );
    // Not installed: no pattern (the bare name still applies).
    expect(entryPatterns("@anthropic-ai/sdk", root)).toEqual([]);
  });
});
