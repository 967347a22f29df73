import fs from "node:fs";
import { mkdirSync, writeFileSync } from "node:fs";
import { join, sep } from "node:path";
import { getPlatform, listPlatforms, PlatformNotFoundError, registerPlatform } from "@llmops/core";
import { captureDiag, createTempApp } from "@llmops-internal/test-support";
import { resetProcessState } from "@llmops-internal/test-support/process-state";
import { memoryPlatform } from "./helpers";

/**
 * What discovery costs an app with many packages: which files it touches, counted through spies on `node:fs`
 * (the module object core's code calls into), so the count is of real calls, not of a model of them.
 */

const DECLARED = 500;
const UNDECLARED = 500;

/** An app declaring {@link DECLARED} plain packages (and `extra`), with {@link UNDECLARED} more installed but not declared. */
function bigApp(extra: Parameters<typeof createTempApp>[0] = {}): string {
  const dependencies: Record<string, { manifest: Record<string, unknown> }> = {};
  for (let index = 0; index < DECLARED; index += 1) dependencies[`declared-${index}`] = { manifest: { main: "index.js", license: "MIT" } };
  const appRoot = createTempApp({ ...extra, dependencies: { ...dependencies, ...extra.dependencies } });
  for (let index = 0; index < UNDECLARED; index += 1) {
    const name = `undeclared-${index}`;
    mkdirSync(join(appRoot, "node_modules", name));
    writeFileSync(join(appRoot, "node_modules", name, "package.json"), JSON.stringify({ name, version: "1.0.0" }));
  }
  return appRoot;
}

type Watched = "openSync" | "statSync" | "lstatSync" | "readFileSync" | "readdirSync" | "existsSync";

/** Records the paths given to the `node:fs` functions discovery could use, while `run` runs. */
async function fsCalls(run: () => unknown): Promise<Array<{ call: Watched; path: string }>> {
  const calls: Array<{ call: Watched; path: string }> = [];
  const spies = (["openSync", "statSync", "lstatSync", "readFileSync", "readdirSync", "existsSync"] as const).map((call) => {
    const original = fs[call] as (...args: unknown[]) => unknown;
    return jest.spyOn(fs, call).mockImplementation(((...args: unknown[]) => {
      if (typeof args[0] === "string") calls.push({ call, path: args[0] });
      return original.apply(fs, args);
    }) as never);
  });
  try {
    await run();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return calls;
}

/** The dependency a path under the app's node_modules belongs to, e.g. `declared-7`. */
function dependencyOf(appRoot: string, path: string): string | undefined {
  const prefix = join(appRoot, "node_modules") + sep;
  if (!path.startsWith(prefix)) return undefined;
  const [first, second] = path.slice(prefix.length).split(sep);
  return first?.startsWith("@") === true ? `${first}/${second ?? ""}` : first;
}

const quiet = { global: false, flushOnExit: false, config: { service: { name: "svc" } } } as const;

describe("what discovery reads in an app with many packages", () => {
  beforeEach(() => resetProcessState());

  it("opens each declared dependency's package.json once, stats none of them, and touches no undeclared package", async () => {
    const appRoot = bigApp({ dependencies: { "@llmops/platform-acme": { manifest: { llmops: { platform: { name: "acme" } } } } } });
    let packageName: string | undefined;
    const calls = await fsCalls(() => {
      packageName = getPlatform("acme", { appRoot }).packageName;
    });
    expect(packageName).toBe("@llmops/platform-acme");
    const touched = calls.map((item) => ({ ...item, dependency: dependencyOf(appRoot, item.path) })).filter((item) => item.dependency !== undefined);
    expect(touched.filter((item) => item.dependency?.startsWith("undeclared-") === true)).toEqual([]);
    // One open per declared dependency: 500 plain packages and the platform.
    const opened = touched.filter((item) => item.call === "openSync");
    expect(opened).toHaveLength(DECLARED + 1);
    expect(new Set(opened.map((item) => item.dependency)).size).toBe(DECLARED + 1);
    // No stat on the way: a Stats object (four Dates on Node 20) per dependency cost as much as reading it.
    expect(touched.filter((item) => item.call === "statSync" || item.call === "lstatSync")).toEqual([]);
    expect(touched.filter((item) => item.call === "readFileSync")).toEqual([]);
  });

  it("reads no dependency for a platform registered in code unless a debug line can be printed", async () => {
    const stray = { manifest: { main: "index.cjs", llmops: { platform: { name: "memory" } } } };
    const appRoot = bigApp({ dependencies: { "memory-fork": stray } });
    const underDependencies = (calls: Array<{ path: string }>) => calls.filter((item) => dependencyOf(appRoot, item.path) !== undefined);

    // The default level (warn): the "registered one is used" line would be dropped, so nothing is read to write it.
    registerPlatform(memoryPlatform().platform);
    const quietCalls = await fsCalls(async () => {
      const tracing = await getPlatform("memory", { appRoot }).instrument({ ...quiet, appRoot, env: {} });
      expect(tracing.active).toBe(true);
      await tracing.shutdown();
    });
    expect(underDependencies(quietCalls)).toEqual([]);

    // An app's own logger (here at every level): the scan runs and the line says which installed package is not used.
    resetProcessState();
    registerPlatform(memoryPlatform().platform);
    const logs = captureDiag();
    try {
      const listenedCalls = await fsCalls(async () => {
        const tracing = await getPlatform("memory", { appRoot }).instrument({ ...quiet, appRoot, env: {} });
        await tracing.shutdown();
      });
      expect(underDependencies(listenedCalls).length).toBeGreaterThan(DECLARED);
      expect(logs.messages).toContainEqual(expect.stringMatching(/^debug .*also declared by installed memory-fork; the registered one is used/));
    } finally {
      logs.restore();
    }
  });
});

describe("a platform package installed but not declared by the app", () => {
  beforeEach(() => resetProcessState());

  /** A workspace: the platform installed in the root's node_modules, the app a package below it that does not list it. */
  function workspace(platformPackage: string, claimedName: string): { root: string; appRoot: string } {
    const root = createTempApp({ dependencies: { [platformPackage]: { manifest: { main: "index.cjs", llmops: { platform: { name: claimedName, entry: "./platform.cjs" } } } } } });
    writeFileSync(join(root, "node_modules", ...platformPackage.split("/"), "platform.cjs"), `exports.platform = { name: ${JSON.stringify(claimedName)}, createTracerProvider() {} };`);
    const appRoot = join(root, "packages", "app");
    mkdirSync(appRoot, { recursive: true });
    writeFileSync(join(appRoot, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", dependencies: { lodash: "*" } }));
    return { root, appRoot };
  }

  it("is found by getPlatform(name) when it is named for the platform, in a node_modules folder Node's resolution reaches", async () => {
    const { appRoot } = workspace("@llmops/platform-acme", "acme");
    const handle = getPlatform("acme", { appRoot });
    expect(handle).toEqual(expect.objectContaining({ name: "acme", packageName: "@llmops/platform-acme", version: "1.2.3", source: "dependency" }));
    expect((await handle.load()).name).toBe("acme");
    const { appRoot: conventional } = workspace("llmops-platform-zeta", "zeta");
    expect(getPlatform("zeta", { appRoot: conventional }).packageName).toBe("llmops-platform-zeta");
    // listPlatforms() reports what the app declares: an undeclared package is found only when asked for by name.
    expect(listPlatforms({ appRoot })).toEqual([]);
  });

  it("is not found when its name is not the platform's, or when it claims another name", () => {
    for (const [packageName, claimed] of [
      ["acme-tools", "acme"],
      ["@llmops/platform-acme", "other"],
    ] as const) {
      resetProcessState();
      const { appRoot } = workspace(packageName, claimed);
      expect(() => getPlatform("acme", { appRoot })).toThrow(PlatformNotFoundError);
    }
  });

  it("does not replace a declared claim of the same name", () => {
    const { root } = workspace("@llmops/platform-acme", "acme");
    const appRoot = join(root, "packages", "declared");
    mkdirSync(join(appRoot, "node_modules", "acme-fork"), { recursive: true });
    writeFileSync(join(appRoot, "package.json"), JSON.stringify({ name: "declared", dependencies: { "acme-fork": "*" } }));
    writeFileSync(join(appRoot, "node_modules", "acme-fork", "package.json"), JSON.stringify({ name: "acme-fork", version: "2.0.0", llmops: { platform: { name: "acme" } } }));
    expect(getPlatform("acme", { appRoot }).packageName).toBe("acme-fork");
  });
});
