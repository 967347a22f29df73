import { createRequire } from "node:module";
import { join } from "node:path";
import { trace } from "@opentelemetry/api";
import type { InstrumentorSpec, ResolvedConfig } from "@llmops/core";
import { resetModuleHooks } from "../src/instrumentors/module-hooks";
import { runInstrumentors } from "../src/instrumentors/run-instrumentors";
import { globalState as globalStateForTest } from "../src/internal/global-state";
import { captureDiag, createTempApp } from "@llmops-internal/test-support";
import { resetProcessState } from "@llmops-internal/test-support/process-state";
import type { CapturedLogs } from "@llmops-internal/test-support";

const instrumentation = (marker: string, extra = "") => `
  globalThis.__events = globalThis.__events || [];
  globalThis.__events.push("load:${marker}");
  class Instrumentation {
    constructor(config) { this.config = config; globalThis.__events.push("construct:${marker}:" + (config.tracerProvider ? "provider" : "none") + (config.traceConfig ? ":trace-config=" + JSON.stringify(config.traceConfig) : "") + (config.enabled === false && config.instrumentationConfig.enabled === false ? ":disabled" : "")); }
    setTracerProvider() { globalThis.__events.push("provider:${marker}"); }
    enable() { globalThis.__events.push("enable:${marker}"); }
    manuallyInstrument(moduleExports) { ${extra} globalThis.__events.push("patch:${marker}"); moduleExports.patchedBy = "${marker}"; moduleExports.patchCount = (moduleExports.patchCount || 0) + 1; moduleExports.traced = function traced() {}; }
  }
  exports.Instrumentation = Instrumentation;`;

function spec(key: string, packageName: string): InstrumentorSpec {
  return { key, packageName, exportName: "Instrumentation", moduleName: key };
}

function config(instrumentationSettings: Record<string, boolean>): ResolvedConfig<unknown> {
  return { service: { name: "t" }, instrumentation: instrumentationSettings, validationMode: "permissive", privacy: {}, section: {} };
}

describe("runInstrumentors", () => {
  let logs: CapturedLogs;
  const events = (): string[] => (globalThis as { __events?: string[] }).__events ?? [];
  beforeEach(() => {
    resetProcessState();
    resetModuleHooks();
    (globalThis as { __events?: string[] }).__events = [];
    logs = captureDiag();
  });

  const appRoot = createTempApp({
    files: { "pnpm-lock.yaml": "" },
    dependencies: {
      "instr-ok": { manifest: { main: "index.js" }, files: { "index.js": instrumentation("ok") } },
      "instr-second": { manifest: { main: "index.js" }, files: { "index.js": instrumentation("second") } },
      "instr-import-throws": { manifest: { main: "index.js" }, files: { "index.js": "throw new Error('broken at import');" } },
      "instr-patch-throws": { manifest: { main: "index.js" }, files: { "index.js": instrumentation("patch", "throw new Error('broken at patch');") } },
      // Its manuallyInstrument returns normally but wraps nothing (an instrumentor that does not know this module).
      "instr-noop": { manifest: { main: "index.js" }, files: { "index.js": "exports.Instrumentation = class { manuallyInstrument(moduleExports) { moduleExports.openInferencePatched = true; } };" } },
      // Wraps Client.prototype.call: a patch on the prototype of an exported class.
      "instr-proto": {
        manifest: { main: "index.js" },
        files: {
          "index.js":
            "exports.Instrumentation = class { manuallyInstrument(m) { const Client = (m.clientModule ?? m).Client; const original = Client.prototype.call; Client.prototype.call = function () { return 'traced:' + original.call(this); }; } };",
        },
      },
      "client-lib": { manifest: { main: "index.js" }, files: { "index.js": "exports.Client = class Client { call() { return 'called'; } };" } },
      "server-lib": { manifest: { main: "index.js" }, files: { "index.js": "exports.Client = class Server { call() { return 'served'; } };" } },
      "instr-no-export": { manifest: { main: "index.js" }, files: { "index.js": "exports.Other = class {};" } },
      "target-lib": { manifest: { main: "index.js" }, files: { "index.js": "exports.kind = 'target';" } },
      "instr-missing-dependency": { manifest: { main: "index.js" }, files: { "index.js": "require('left-pad-that-is-not-here');" } },
    },
  });
  const registry = [
    spec("ok", "instr-ok"),
    spec("import_throws", "instr-import-throws"),
    spec("patch_throws", "instr-patch-throws"),
    spec("no_export", "instr-no-export"),
    spec("missing_dependency", "instr-missing-dependency"),
    spec("absent", "@example/not-installed"),
    spec("second", "instr-second"),
  ];
  const tracerProvider = trace.getTracerProvider();

  it("applies each instrumentor in isolation: failures are reported and the rest continue", () => {
    const modules = Object.fromEntries(registry.map((entry) => [entry.key, { name: entry.key }]));
    const reports = runInstrumentors({ registry, config: config({}), tracerProvider, appRoot, platformName: "test", modules });
    expect(reports.map((report) => `${report.key}:${report.status}`)).toEqual([
      "ok:instrumented",
      "import_throws:failed",
      "patch_throws:failed",
      "no_export:failed",
      "missing_dependency:failed",
      "absent:not-installed",
      "second:instrumented",
    ]);
    expect(events()).toEqual(expect.arrayContaining(["construct:ok:provider:disabled", "provider:ok", "patch:ok", "patch:second"]));
    const text = logs.text();
    expect(text).toContain("instrumentor import_throws (instr-import-throws) failed to load: broken at import");
    expect(text).toContain("instrumentor patch_throws (instr-patch-throws) failed: broken at patch; the others continue.");
    expect(text).toContain("instr-no-export has no export named Instrumentation");
    expect(text).toContain("left-pad-that-is-not-here");
  });

  it("says nothing above debug for an absent instrumentor nobody asked for, and warns with the install line when asked", () => {
    runInstrumentors({ registry: [spec("absent", "@example/not-installed")], config: config({}), tracerProvider, appRoot, platformName: "test" });
    expect(logs.messages.filter((message) => message.startsWith("warn"))).toEqual([]);
    const reports = runInstrumentors({ registry: [spec("absent", "@example/not-installed")], config: config({ absent: true }), tracerProvider, appRoot, platformName: "test" });
    expect(reports[0]?.message).toContain("Install with: pnpm add @example/not-installed");
    expect(logs.messages.filter((message) => message.startsWith("warn"))).toEqual([expect.stringContaining("instrumentation.absent needs @example/not-installed")]);
  });

  it("arms an instrumentor whose module is not loaded yet without loading it: it loads when the module does", () => {
    const reports = runInstrumentors({ registry: [spec("ok", "instr-ok")], config: config({}), tracerProvider, appRoot, platformName: "test" });
    expect(reports).toEqual([
      {
        key: "ok",
        packageName: "instr-ok",
        status: "waiting",
        patchedModule: false,
        message: 'instr-ok loads and patches ok when the app requires it (an "import" of it is seen only under --import <platform>/register, or when handed in with instrument({ modules })).',
      },
    ]);
    expect(events()).toEqual([]);
  });

  it("does not even load a disabled instrumentor", () => {
    const reports = runInstrumentors({ registry: [spec("ok", "instr-ok")], config: config({ ok: false }), tracerProvider, appRoot, platformName: "test" });
    expect(reports).toEqual([expect.objectContaining({ key: "ok", status: "disabled" })]);
    expect(events()).toEqual([]);
  });

  it("patches a module handed in with modules, and applies nothing twice in one process", () => {
    const openai = { name: "openai-module" } as Record<string, unknown>;
    const first = runInstrumentors({ registry: [spec("ok", "instr-ok")], config: config({}), tracerProvider, appRoot, platformName: "test", modules: { ok: openai } });
    expect(first[0]).toEqual(expect.objectContaining({ status: "instrumented", patchedModule: true }));
    expect(openai.patchedBy).toBe("ok");
    const second = runInstrumentors({ registry: [spec("ok", "instr-ok")], config: config({}), tracerProvider, appRoot, platformName: "test" });
    expect(second[0]?.status).toBe("already-applied");
    expect(events().filter((event) => event.startsWith("construct:ok"))).toHaveLength(1);
    // Patched by core through manuallyInstrument: the instrumentor's own require hooks stay off.
    expect(events()).not.toContain("enable:ok");
  });

  it("patches a module the app already required in place, instead of hooking require", () => {
    const targetLib = createRequire(join(appRoot, "package.json"))("target-lib") as Record<string, unknown>;
    const reports = runInstrumentors({ registry: [{ ...spec("ok", "instr-ok"), moduleName: "target-lib" }], config: config({}), tracerProvider, appRoot, platformName: "test" });
    expect(reports[0]).toEqual(expect.objectContaining({ status: "instrumented", patchedModule: true }));
    expect(targetLib.patchedBy).toBe("ok");
    expect(events()).not.toContain("enable:ok");
  });

  it("hands the privacy section to the instrumentor as its OpenInference trace config", () => {
    const privacy = { hideInputs: true, base64ImageMaxLength: 10 };
    runInstrumentors({ registry: [spec("ok", "instr-ok")], config: { ...config({}), privacy }, tracerProvider, appRoot, platformName: "test", modules: { ok: {} } });
    expect(events()).toContain('construct:ok:provider:trace-config={"hideInputs":true,"base64ImageMaxLength":10}:disabled');
  });

  it("sets the spec's environment defaults once applied, never over a value the user set", () => {
    delete process.env.LLMOPS_TEST_DEFAULT_A;
    process.env.LLMOPS_TEST_DEFAULT_B = "mine";
    try {
      runInstrumentors({
        registry: [{ ...spec("ok", "instr-ok"), environmentDefaults: { LLMOPS_TEST_DEFAULT_A: "false", LLMOPS_TEST_DEFAULT_B: "false" } }],
        config: config({}),
        tracerProvider,
        appRoot,
        platformName: "test",
      });
      expect(process.env.LLMOPS_TEST_DEFAULT_A).toBe("false");
      expect(process.env.LLMOPS_TEST_DEFAULT_B).toBe("mine");
      runInstrumentors({
        registry: [{ ...spec("absent", "@example/not-installed"), environmentDefaults: { LLMOPS_TEST_DEFAULT_C: "x" } }],
        config: config({}),
        tracerProvider,
        appRoot,
        platformName: "test",
      });
      expect(process.env.LLMOPS_TEST_DEFAULT_C).toBeUndefined();
    } finally {
      delete process.env.LLMOPS_TEST_DEFAULT_A;
      delete process.env.LLMOPS_TEST_DEFAULT_B;
    }
  });

  it("accepts a module under its module name, its instrumentation key or an alias; never patches one object twice", () => {
    const callbacks = { name: "callbacks-module" } as Record<string, unknown>;
    const reports = runInstrumentors({
      registry: [{ ...spec("langchain", "instr-ok"), moduleName: "@langchain/core/callbacks/manager", moduleAliases: ["langchainCallbacks"] }],
      config: config({}),
      tracerProvider,
      appRoot,
      platformName: "test",
      modules: { langchainCallbacks: callbacks, langchain: callbacks, "@langchain/core/callbacks/manager": { default: callbacks } },
    });
    expect(reports[0]).toEqual(expect.objectContaining({ status: "instrumented", patchedModule: true }));
    // Three keys, two objects, one identity (the namespace's default export is the module itself): one patch.
    expect(events().filter((event) => event === "patch:ok")).toHaveLength(1);
  });

  it("names the accepted keys when a module is handed in under a key no instrumentor patches", () => {
    runInstrumentors({ registry: [spec("ok", "instr-ok")], config: config({}), tracerProvider, appRoot, platformName: "test", modules: { opneai: {} } });
    expect(logs.text()).toContain('instrument({ modules }) got "opneai", which no instrumentor of platform "test" patches; use one of: ok.');
  });

  it("in an ES module app, says once how to reach modules it cannot see: the register entry point or modules", () => {
    const run = (modules?: Record<string, unknown>) =>
      runInstrumentors({
        registry: [spec("ok", "instr-ok")],
        config: config({}),
        tracerProvider,
        appRoot,
        platformName: "test",
        platformPackage: "@llmops/platform-test",
        entryIsEsModule: true,
        esmCheckDelayMillis: 0,
        ...(modules ? { modules } : {}),
      });
    run({ ok: {} });
    expect(logs.text()).not.toContain("ES module app");
    resetModuleHooks();
    globalStateForTest().appliedInstrumentors.clear();
    run();
    const warnings = logs.messages.filter((message) => message.includes("ES module app"));
    expect(warnings).toEqual([expect.stringContaining("node --import @llmops/platform-test/register")]);
    expect(warnings[0]).toContain("instrument({ modules: { ok } })");
  });

  it("says nothing about ES modules in a CommonJS app", () => {
    runInstrumentors({ registry: [spec("ok", "instr-ok")], config: config({}), tracerProvider, appRoot, platformName: "test", entryIsEsModule: false });
    expect(logs.text()).not.toContain("ES module app");
  });

  it("uses the spec's own factory when it has one", () => {
    const created: unknown[] = [];
    const reports = runInstrumentors({
      registry: [{ ...spec("ok", "instr-ok"), create: (exported, context) => (created.push(exported, context.config.service.name), { enable: () => created.push("enabled") }) }],
      config: config({}),
      tracerProvider,
      appRoot,
      platformName: "test",
    });
    expect(reports[0]?.status).toBe("enabled");
    expect(created).toEqual([expect.any(Function), "t", "enabled"]);
  });

  it("reports an instrumentor that ran but replaced no function as patched-nothing, with the reason and a fix", () => {
    const reports = runInstrumentors({
      registry: [{ ...spec("noop", "instr-noop"), moduleName: "client-lib" }],
      config: config({}),
      tracerProvider,
      appRoot,
      platformName: "test",
      modules: { noop: { Client: class {} } },
    });
    expect(reports[0]).toEqual(expect.objectContaining({ key: "noop", status: "patched-nothing", patchedModule: false }));
    expect(reports[0]?.message).toContain("loaded but patched nothing in client-lib");
    expect(reports[0]?.message).toContain("npm ls client-lib instr-noop");
    expect(logs.messages.filter((message) => message.startsWith("warn") && message.includes("patched nothing"))).toHaveLength(1);
  });

  it("sees a patch on the prototype of an exported class", () => {
    const lib = {
      Client: class {
        call(): string {
          return "called";
        }
      },
    };
    const reports = runInstrumentors({
      registry: [{ ...spec("proto", "instr-proto"), moduleName: "client-lib" }],
      config: config({}),
      tracerProvider,
      appRoot,
      platformName: "test",
      modules: { proto: lib },
    });
    expect(new lib.Client().call()).toBe("traced:called");
    expect(reports[0]).toEqual({ key: "proto", packageName: "instr-proto", status: "instrumented", patchedModule: true });
  });

  it("hands each of several modules to manuallyInstrument under its own key (an instrumentor of subpath modules)", () => {
    const server = {
      Client: class {
        call(): string {
          return "served";
        }
      },
    };
    const client = {
      Client: class {
        call(): string {
          return "called";
        }
      },
    };
    const reports = runInstrumentors({
      registry: [{ ...spec("proto", "instr-proto"), moduleName: "client-lib", manuallyInstrumentKey: "clientModule", moreModules: [{ moduleName: "server-lib" }] }],
      config: config({}),
      tracerProvider,
      appRoot,
      platformName: "test",
      modules: { "server-lib": server, proto: client },
    });
    expect(reports[0]).toEqual(expect.objectContaining({ status: "instrumented", patchedModule: true }));
    expect(new server.Client().call()).toBe("traced:served");
    expect(new client.Client().call()).toBe("traced:called");
  });
});
