import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { getPlatform, listPlatforms, PlatformBrokenError, PlatformConflictError, PlatformNotFoundError, registerPlatform } from "@llmops/core";
import { discoverPlatforms, MANIFEST_SIZE_CAP_BYTES, rankClaims } from "../src/discovery/discover";
import { findAppRoot } from "../src/internal/app-root";
import { captureDiag, createTempApp } from "@llmops-internal/test-support";
import { resetProcessState } from "@llmops-internal/test-support/process-state";
import { memoryPlatform } from "./helpers";

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

/** A platform package whose platform starts (no exporters), recording `marker` when its module loads. */
function workingPlatformPackage(name: string, marker: string) {
  return {
    manifest: { main: "index.cjs", llmops: { platform: { name, entry: "./platform.cjs" } } },
    files: {
      "index.cjs": "module.exports = {};",
      "platform.cjs": `
        globalThis.__loaded = (globalThis.__loaded || []).concat(${JSON.stringify(marker)});
        const v = require(${JSON.stringify(require.resolve("valibot"))});
        exports.platform = { name: ${JSON.stringify(name)}, configSection: ${JSON.stringify(name)}, packageName: ${JSON.stringify(marker)}, schema: v.object({}),
          instrumentors: [], createTracerProvider: ({ assembleTracerProvider }) => assembleTracerProvider({ exporters: [] }) };`,
    },
  };
}

function loaded(): string[] {
  return (globalThis as { __loaded?: string[] }).__loaded ?? [];
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

  describe("two packages claiming one name", () => {
    const quiet = { global: false, flushOnExit: false, config: { service: { name: "svc" } } } as const;

    it("uses the first-party package in permissive mode and warns naming both", async () => {
      const appRoot = createTempApp({
        // The stray package sorts first by name: only the documented rule makes the first-party one win.
        dependencies: { "@llmops/platform-local": workingPlatformPackage("local", "first-party"), "aaa-stray": workingPlatformPackage("local", "stray") },
      });
      const logs = captureDiag();
      try {
        const handle = getPlatform("local", { appRoot });
        expect(handle.packageName).toBe("@llmops/platform-local");
        const tracing = await handle.instrument(quiet);
        expect(tracing.active).toBe(true);
        expect(loaded()).toEqual(["first-party"]);
        const warnings = logs.messages.filter((message) => message.startsWith("warn"));
        expect(warnings).toHaveLength(1);
        expect(warnings[0]).toContain("@llmops/platform-local and aaa-stray");
        expect(warnings[0]).toContain("Using @llmops/platform-local (the first-party package wins)");
        await tracing.shutdown();
      } finally {
        logs.restore();
      }
      expect(listPlatforms({ appRoot })).toEqual([
        expect.objectContaining({ name: "local", packageName: "@llmops/platform-local", status: "ok", conflictsWith: ["aaa-stray"] }),
        expect.objectContaining({ name: "local", packageName: "aaa-stray", status: "shadowed", conflictsWith: ["@llmops/platform-local"] }),
      ]);
    });

    it("throws naming both in strict mode, from the option, the variable or the config file", async () => {
      const appRoot = createTempApp({ dependencies: { "first-pkg": workingPlatformPackage("acme", "first"), "second-pkg": workingPlatformPackage("acme", "second") } });
      for (const strict of [{ validationMode: "strict" as const }, { env: { LLMOPS_VALIDATION_MODE: "strict" } }, { config: { service: { name: "svc" }, validation: { mode: "strict" as const } } }]) {
        resetProcessState();
        const attempt = getPlatform("acme", { appRoot }).instrument({ ...quiet, ...strict });
        await expect(attempt).rejects.toThrow(PlatformConflictError);
        await expect(attempt).rejects.toThrow(/first-pkg and second-pkg/);
      }
    });

    it("ranks by a documented rule that does not depend on install or key order", () => {
      const claims = (names: string[]) => names.map((packageName) => ({ packageName }));
      const order = (name: string, names: string[]) => rankClaims(name, claims(names)).map((item) => item.packageName);
      expect(order("acme", ["zz-tools", "@llmops/platform-acme", "acme-llmops-platform-acme"])).toEqual(["@llmops/platform-acme", "acme-llmops-platform-acme", "zz-tools"]);
      expect(order("acme", ["zz-tools", "@corp/llmops-platform-acme", "aa-tools"])).toEqual(["@corp/llmops-platform-acme", "aa-tools", "zz-tools"]);
      expect(order("acme", ["b-pkg", "a-pkg"])).toEqual(order("acme", ["a-pkg", "b-pkg"]));
      const appRoot = createTempApp({ dependencies: { "b-pkg": platformPackage("acme"), "a-pkg": platformPackage("acme") } });
      expect(discoverPlatforms(appRoot).platforms.get("acme")?.packageName).toBe("a-pkg");
      expect(discoverPlatforms(appRoot).conflicts.get("acme")).toEqual(["a-pkg", "b-pkg"]);
    });

    it("says at debug level that a platform registered in code wins over an installed package of the same name", async () => {
      const appRoot = createTempApp({ dependencies: { "acme-fork": workingPlatformPackage("memory", "fork") } });
      const logs = captureDiag();
      try {
        registerPlatform(memoryPlatform().platform);
        const tracing = await getPlatform("memory", { appRoot }).instrument({ ...quiet, appRoot });
        expect(tracing.active).toBe(true);
        expect(loaded()).toEqual([]);
        expect(logs.messages).toContainEqual(
          expect.stringMatching(/^debug .*Platform "memory" is registered in code by @llmops\/platform-memory and also declared by installed acme-fork; the registered one is used/),
        );
        expect(logs.messages.filter((message) => message.startsWith("warn"))).toEqual([]);
        await tracing.shutdown();
      } finally {
        logs.restore();
      }
    });
  });

  describe("a package that declares a platform it cannot provide", () => {
    function caught(run: () => unknown): unknown {
      try {
        run();
      } catch (error) {
        return error;
      }
      return undefined;
    }

    it("refuses an entry leading outside the package folder, and never loads it", async () => {
      const outside = "globalThis.__loaded = (globalThis.__loaded || []).concat('outside');";
      const entries = { up: "../../outside.js", absolute: "/tmp/outside.js", backslash: "..\\..\\outside.js", scheme: "file:///tmp/outside.js" };
      const dependencies = Object.fromEntries(Object.entries(entries).map(([name, entry]) => [`${name}-llmops-platform-${name}`, { manifest: { llmops: { platform: { name, entry } } } }]));
      const appRoot = createTempApp({ dependencies, files: { "outside.js": outside } });
      for (const [name, entry] of Object.entries(entries)) {
        // Asking for the platform and loading it: whichever refuses, the outside file never runs.
        const error = await Promise.resolve()
          .then(() => getPlatform(name, { appRoot }).load())
          .catch((reason: unknown) => reason);
        expect(loaded()).toEqual([]);
        expect(String(error)).toContain(`${JSON.stringify(entry)} in its package.json is not a path inside the package`);
        expect(PlatformBrokenError.isInstance(error)).toBe(true);
        expect(error).toEqual(expect.objectContaining({ packageName: `${name}-llmops-platform-${name}`, platformName: name }));
        expect((error as PlatformBrokenError).reason).toContain(`${JSON.stringify(entry)} in its package.json is not a path inside the package`);
      }
      expect(loaded()).toEqual([]);
    });

    it("refuses a platform module that a symlink inside the package leads out of", async () => {
      const appRoot = createTempApp({ dependencies: { acme: { manifest: { llmops: { platform: { name: "acme", entry: "./platform.cjs" } } } } } });
      writeFileSync(join(appRoot, "outside.cjs"), "globalThis.__loaded = (globalThis.__loaded || []).concat('outside');");
      symlinkSync(join(appRoot, "outside.cjs"), join(appRoot, "node_modules", "acme", "platform.cjs"));
      const handle = getPlatform("acme", { appRoot });
      await expect(handle.load()).rejects.toThrow(/resolves to .*outside\.cjs, outside the package folder/);
      expect(PlatformBrokenError.isInstance(await handle.load().catch((error: unknown) => error))).toBe(true);
      expect(loaded()).toEqual([]);
    });

    it("reports an invalid package.json or llmops.platform field as broken, with the reason, not as not installed", () => {
      const appRoot = createTempApp({
        dependencies: {
          "@llmops/platform-json": { manifest: {} },
          "acme-tools": { manifest: { llmops: { platform: "acme" } } },
          "@corp/llmops-platform-noname": { manifest: { llmops: { platform: { configSection: "noname" } } } },
          "section-pkg": { manifest: { llmops: { platform: { name: "section", configSection: 42 } } } },
        },
      });
      // A trailing comma: what a hand edit leaves behind.
      writeFileSync(join(appRoot, "node_modules", "@llmops", "platform-json", "package.json"), '{ "name": "@llmops/platform-json", "llmops": { "platform": { "name": "json" } }, }');
      const expectations: Array<[string, string, RegExp]> = [
        ["json", "@llmops/platform-json", /^its package\.json is not valid JSON \(.+\)$/],
        ["noname", "@corp/llmops-platform-noname", /has no "name" string/],
        ["section", "section-pkg", /configSection .* is not a non-empty string/],
      ];
      for (const [name, packageName, reason] of expectations) {
        const error = caught(() => getPlatform(name, { appRoot }));
        expect(PlatformBrokenError.isInstance(error)).toBe(true);
        expect(PlatformNotFoundError.isInstance(error)).toBe(false);
        expect(error).toEqual(expect.objectContaining({ packageName, reason: expect.stringMatching(reason) }));
        expect((error as Error).message).toContain(packageName);
      }
      expect(listPlatforms({ appRoot })).toEqual(
        expect.arrayContaining([expect.objectContaining({ name: "json", packageName: "@llmops/platform-json", status: "broken", problem: expect.stringMatching(/not valid JSON/) })]),
      );
      // "acme-tools" claims no readable name and is not named by the convention: it is kept, not listed under a guess.
      expect(discoverPlatforms(appRoot).broken).toContainEqual({ name: undefined, packageName: "acme-tools", reason: "llmops.platform in its package.json is not an object" });
    });

    it("does not parse a package.json over the size cap, and says so", () => {
      const appRoot = createTempApp({ dependencies: { "@llmops/platform-big": { manifest: { llmops: { platform: { name: "big" } } } } } });
      const path = join(appRoot, "node_modules", "@llmops", "platform-big", "package.json");
      // Valid JSON declaring the platform: parsed, it would be found.
      writeFileSync(path, JSON.stringify({ name: "@llmops/platform-big", llmops: { platform: { name: "big" } }, padding: "x".repeat(MANIFEST_SIZE_CAP_BYTES) }));
      const parse = jest.spyOn(JSON, "parse");
      try {
        const error = caught(() => getPlatform("big", { appRoot }));
        expect(PlatformBrokenError.isInstance(error)).toBe(true);
        expect((error as PlatformBrokenError).reason).toMatch(new RegExp(`over the ${MANIFEST_SIZE_CAP_BYTES}-byte cap`));
        expect(parse.mock.calls.some(([text]) => typeof text === "string" && text.length > MANIFEST_SIZE_CAP_BYTES)).toBe(false);
      } finally {
        parse.mockRestore();
      }
    });
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
