import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { getPlatform, listPlatforms, PlatformConflictError, PlatformNotFoundError, registerPlatform } from "@llmops/core";
import { discoverPlatforms, findAppRoot } from "../src/discovery/discover";
import { createTempApp, memoryPlatform, resetProcessState } from "./helpers";

/** A platform package whose module records, on a global, that it was loaded. */
function platformPackage(name: string, options: { hidePackageJson?: boolean; entry?: string } = {}) {
  const entry = options.entry ?? "./platform.cjs";
  const exportsField = options.hidePackageJson === true ? { ".": "./index.cjs", "./platform": entry } : { ".": "./index.cjs", "./platform": entry, "./package.json": "./package.json" };
  return {
    manifest: { main: "index.cjs", exports: exportsField, llmops: { platform: { name, configSection: name, entry: "./platform" } } },
    files: {
      "index.cjs": "module.exports = {};",
      [entry.replace(/^\.\//, "")]: `
        globalThis.__loaded = (globalThis.__loaded || []).concat(${JSON.stringify(name)});
        exports.platform = { name: ${JSON.stringify(name)}, configSection: ${JSON.stringify(name)}, packageName: "pkg", schema: null, instrumentors: [],
          createTracerProvider: async () => { throw new Error("not in this test"); } };`,
    },
  };
}

describe("discovery", () => {
  beforeEach(() => {
    resetProcessState();
    (globalThis as { __loaded?: string[] }).__loaded = [];
  });

  it("finds platforms declared by any kind of dependency, also when exports hide package.json", () => {
    const appRoot = createTempApp({
      dependencies: { "acme-llmops-platform-acme": platformPackage("acme", { hidePackageJson: true }), "@llmops/platform-zeta": platformPackage("zeta"), lodash: { manifest: {} } },
      manifest: { devDependencies: { "not-installed": "1" } },
    });
    const result = discoverPlatforms(appRoot);
    expect([...result.platforms.keys()].sort()).toEqual(["acme", "zeta"]);
    expect(result.platforms.get("acme")).toEqual(
      expect.objectContaining({ packageName: "acme-llmops-platform-acme", version: "1.2.3", configSection: "acme", specifier: "acme-llmops-platform-acme/platform" }),
    );
  });

  it("follows pnpm-style symlinks to the real package folder", () => {
    const appRoot = createTempApp();
    const store = join(appRoot, "node_modules", ".pnpm", "acme@1.0.0", "node_modules", "acme");
    mkdirSync(store, { recursive: true });
    const fake = platformPackage("acme");
    writeFileSync(join(store, "package.json"), JSON.stringify({ name: "acme", version: "1.0.0", ...fake.manifest }));
    for (const [file, text] of Object.entries(fake.files)) writeFileSync(join(store, file), text);
    symlinkSync(store, join(appRoot, "node_modules", "acme"), "dir");
    writeFileSync(join(appRoot, "package.json"), JSON.stringify({ name: "app", dependencies: { acme: "1.0.0" } }));
    expect(discoverPlatforms(appRoot).platforms.get("acme")?.version).toBe("1.0.0");
  });

  it("returns a lazy handle: nothing of the platform is imported before load()", async () => {
    const appRoot = createTempApp({ dependencies: { acme: platformPackage("acme") } });
    const handle = getPlatform("acme", { appRoot });
    expect(handle).toEqual(expect.objectContaining({ name: "acme", packageName: "acme", version: "1.2.3", source: "dependency" }));
    expect((globalThis as { __loaded?: string[] }).__loaded).toEqual([]);
    const platform = await handle.load();
    expect(platform.name).toBe("acme");
    expect((globalThis as { __loaded?: string[] }).__loaded).toEqual(["acme"]);
    await handle.load();
    expect((globalThis as { __loaded?: string[] }).__loaded).toEqual(["acme"]);
  });

  it("fails for an unknown name with the names found and the install line of the app's package manager", () => {
    const appRoot = createTempApp({ dependencies: { acme: platformPackage("acme") }, files: { "pnpm-lock.yaml": "" } });
    registerPlatform(memoryPlatform({ name: "inline" }).platform);
    let caught: unknown;
    try {
      getPlatform("arize", { appRoot });
    } catch (error) {
      caught = error;
    }
    expect(PlatformNotFoundError.isInstance(caught)).toBe(true);
    const error = caught as PlatformNotFoundError;
    expect(error.available).toEqual(["acme", "inline"]);
    expect(error.message).toContain("pnpm add @llmops/platform-arize");
  });

  it("suggests the closest platform found for a mistyped name, and none for a name unlike any", () => {
    const appRoot = createTempApp({ dependencies: { mlflow: platformPackage("mlflow"), acme: platformPackage("acme") } });
    registerPlatform(memoryPlatform({ name: "local" }).platform);
    const attempt = (name: string): PlatformNotFoundError => {
      try {
        getPlatform(name, { appRoot });
      } catch (error) {
        if (PlatformNotFoundError.isInstance(error)) return error;
        throw error;
      }
      throw new Error(`getPlatform("${name}") did not fail`);
    };
    const typo = attempt("mlfow");
    expect(typo.suggestion).toBe("mlflow");
    expect(typo.message).toContain('No llmops platform named "mlfow" is installed or registered (found: acme, local, mlflow). Did you mean "mlflow"?');
    expect(attempt("lcoal").suggestion).toBe("local");
    const unlike = attempt("arize");
    expect(unlike.suggestion).toBeUndefined();
    expect(unlike.message).not.toContain("Did you mean");
  });

  it("fails naming both packages when two claim one name, and lists the conflict", () => {
    const appRoot = createTempApp({ dependencies: { "first-pkg": platformPackage("acme"), "second-pkg": platformPackage("acme") } });
    expect(() => getPlatform("acme", { appRoot })).toThrow(PlatformConflictError);
    expect(() => getPlatform("acme", { appRoot })).toThrow(/first-pkg and second-pkg/);
    expect(listPlatforms({ appRoot })).toEqual([
      expect.objectContaining({ name: "acme", packageName: "first-pkg", conflictsWith: ["second-pkg"] }),
      expect.objectContaining({ name: "acme", packageName: "second-pkg", conflictsWith: ["first-pkg"] }),
    ]);
  });

  it("prefers a platform registered in code, and lists both sources", () => {
    const appRoot = createTempApp({ dependencies: { acme: platformPackage("acme"), other: platformPackage("other") } });
    const { platform } = memoryPlatform({ name: "acme" });
    registerPlatform(platform);
    expect(getPlatform("acme", { appRoot }).source).toBe("registered");
    expect(listPlatforms({ appRoot }).map((item) => `${item.name}:${item.source}:${item.version ?? "-"}`)).toEqual(["acme:registered:-", "other:dependency:1.2.3"]);
  });

  it("refuses to register something that is not a platform", () => {
    expect(() => registerPlatform({ name: "x" } as never)).toThrow(/definePlatform/);
  });

  it("explains a package whose module exports no platform, or one of another name", async () => {
    const wrong = platformPackage("acme");
    wrong.files["platform.cjs"] = "exports.platform = { name: 'other', createTracerProvider() {} };";
    const empty = platformPackage("empty");
    empty.files["platform.cjs"] = "exports.nothing = 1;";
    const appRoot = createTempApp({ dependencies: { acme: wrong, empty } });
    await expect(getPlatform("acme", { appRoot }).load()).rejects.toThrow('its Platform object is named "other"');
    await expect(getPlatform("empty", { appRoot }).load()).rejects.toThrow('exports no Platform object; export it as "platform"');
  });

  it("finds the app root from a subfolder, or from LLMOPS_APP_ROOT", () => {
    const appRoot = createTempApp({ files: { "src/deep/file.txt": "" } });
    expect(findAppRoot(join(appRoot, "src", "deep"), {})).toBe(appRoot);
    expect(findAppRoot("/", { LLMOPS_APP_ROOT: appRoot })).toBe(appRoot);
  });
});
