import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { getPlatform, loadConfig } from "@llmops/core";
import type { PlatformHandle, SectionOf } from "@llmops/core";
import { checkPlatform } from "@llmops/core/testing";
import { formatTraceTree, instrument, platform, VERSION } from "@llmops/platform-local";
import type { LocalSection } from "@llmops/platform-local";
import type { AssembleProviderOptions, ManagedTracerProvider, ProviderContext } from "@llmops/core";
import { diag } from "@opentelemetry/api";
import { JsonlFileExporter } from "../src/export/jsonl-file-exporter";
import { TraceTreeProcessor } from "../src/tree/trace-tree-processor";
import { temporaryDirectory } from "./helpers";

/** Calls createTracerProvider with a stand-in assembly that records what the platform asked for. */
async function assemblyFor(section: LocalSection, appRoot = "/srv/app"): Promise<AssembleProviderOptions> {
  let asked: AssembleProviderOptions | undefined;
  const service = { name: "svc" };
  const context: ProviderContext<LocalSection> = {
    section,
    config: { service, instrumentation: {}, validationMode: "strict", privacy: {}, section },
    service,
    appRoot,
    env: {},
    logger: diag.createComponentLogger({ namespace: "test" }),
    assembleTracerProvider: (options) => {
      asked = options;
      return Promise.resolve({} as ManagedTracerProvider);
    },
  };
  await platform.createTracerProvider(context);
  if (asked === undefined) throw new Error("assembleTracerProvider was not called");
  return asked;
}

describe("the local platform", () => {
  it("keeps the platform contract (conformance kit)", async () => {
    const report = await checkPlatform(platform, {
      sampleSection: { directory: temporaryDirectory(), print_tree: false, batch_spans: false },
      brokenSection: { print_tree: "yes" },
      packageDirectory: join(__dirname, ".."),
    });
    expect(report).toEqual({ ok: true, problems: [] });
  }, 60_000);

  it("declares itself in package.json as core's discovery reads it", () => {
    const manifest = JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8"));
    expect(manifest.llmops).toEqual({ platform: { name: platform.name, configSection: platform.configSection, entry: "." } });
    expect(manifest.name).toBe(platform.packageName);
    expect(VERSION).toBe(manifest.version);
  });

  it("registers the OpenInference instrumentors for openai, anthropic and langchain, llmops's google_genai, google_adk, and the Vercel AI SDK integration", () => {
    expect(platform.instrumentors.map(({ key, packageName, exportName, moduleName }) => [key, packageName, exportName, moduleName])).toEqual([
      ["openai", "@arizeai/openinference-instrumentation-openai", "OpenAIInstrumentation", "openai"],
      ["anthropic", "@arizeai/openinference-instrumentation-anthropic", "AnthropicInstrumentation", "@anthropic-ai/sdk"],
      ["langchain", "@arizeai/openinference-instrumentation-langchain", "LangChainInstrumentation", "@langchain/core/callbacks/manager"],
      ["google_genai", "@llmops/instrumentation-google-genai", "GoogleGenAIInstrumentation", "@google/genai"],
      ["google_adk", "@google/adk", "Runner", "@google/adk"],
      ["vercel", "ai", "registerTelemetry", "ai"],
    ]);
  });

  it("defaults every key of the local section, and takes LLMOPS_LOCAL_* overrides", async () => {
    const appRoot = temporaryDirectory();
    const defaults = await loadConfig(platform, { appRoot, env: {}, config: { service: { name: "svc" } } });
    expect(defaults.issues).toEqual([]);
    expect(defaults.config?.section).toEqual({ directory: ".llmops/traces", print_tree: false, batch_spans: true });

    const overridden = await loadConfig(platform, {
      appRoot,
      env: { LLMOPS_LOCAL_DIRECTORY: "/var/traces", LLMOPS_LOCAL_PRINT_TREE: "1" },
      config: { service: { name: "svc" }, local: { directory: "elsewhere", print_tree: false, batch_spans: false } },
    });
    expect(overridden.config?.section).toEqual({ directory: "/var/traces", print_tree: true, batch_spans: false });
  });

  it("reports bad values of the section with their paths", async () => {
    const loaded = await loadConfig(platform, { appRoot: temporaryDirectory(), env: {}, config: { service: { name: "svc" }, local: { print_tree: "yes", directory: "" } } });
    expect(loaded.issues.map((issue) => issue.path).sort()).toEqual(["local.directory", "local.print_tree"]);
  });

  it("builds its provider through core's assembly: the JSONL exporter, batching as asked, the tree processor when asked", async () => {
    const relative = await assemblyFor({ directory: ".llmops/traces", print_tree: false, batch_spans: true });
    expect(relative.batch).toBe(true);
    expect(relative.spanProcessors).toEqual([]);
    expect(relative.exporters).toHaveLength(1);
    const exporter = relative.exporters?.[0] as JsonlFileExporter;
    expect(exporter).toBeInstanceOf(JsonlFileExporter);
    expect(exporter.directory).toBe("/srv/app/.llmops/traces");

    const absolute = await assemblyFor({ directory: "/var/log/traces", print_tree: true, batch_spans: false });
    expect(absolute.batch).toBe(false);
    expect((absolute.exporters?.[0] as JsonlFileExporter).directory).toBe("/var/log/traces");
    expect(absolute.spanProcessors).toHaveLength(1);
    expect(absolute.spanProcessors?.[0]).toBeInstanceOf(TraceTreeProcessor);
  });

  it("is typed through PlatformRegistry", () => {
    // Compile-time checks: getPlatform("local") returns a handle typed with this platform, and its section type
    // is the public LocalSection.
    const typed: (name: "local") => PlatformHandle<typeof platform> = (name) => getPlatform(name);
    const section: SectionOf<typeof platform> = { directory: "x", print_tree: true, batch_spans: false };
    const asPublic: LocalSection = section;
    expect(typeof typed).toBe("function");
    expect(asPublic.directory).toBe("x");
    expect(typeof formatTraceTree).toBe("function");
  });

  it("instrument() writes spans under the app root and prints the tree at shutdown", async () => {
    const appRoot = temporaryDirectory();
    writeFileSync(join(appRoot, "package.json"), JSON.stringify({ name: "local-app", version: "1.0.0" }));
    writeFileSync(
      join(appRoot, "llmops.yaml"),
      "service:\n  name: local-app\nlocal:\n  directory: out/traces\n  print_tree: true\ninstrumentation:\n  openai: false\n  anthropic: false\n  langchain: false\n  google_adk: false\n",
    );
    const printed: string[] = [];
    const write = jest.spyOn(process.stdout, "write").mockImplementation((text) => {
      printed.push(String(text));
      return true;
    });
    try {
      const tracing = await instrument({ appRoot, env: {}, global: false, flushOnExit: false, validationMode: "strict" });
      expect(tracing.active).toBe(true);
      expect(tracing.platform).toBe("local");
      expect(tracing.configFile).toBe(join(appRoot, "llmops.yaml"));
      expect(tracing.instrumentations.map((report) => [report.key, report.status])).toEqual([
        ["openai", "disabled"],
        ["anthropic", "disabled"],
        ["langchain", "disabled"],
        ["google_genai", "not-installed"],
        ["google_adk", "disabled"],
        ["vercel", "not-installed"],
      ]);
      const tracer = tracing.tracerProvider.getTracer("app");
      tracer.startSpan("work", { attributes: { "openinference.span.kind": "CHAIN" } }).end();
      expect(await tracing.shutdown()).toEqual(expect.objectContaining({ ok: true, timedOut: false }));
    } finally {
      write.mockRestore();
    }
    expect(printed.join("")).toMatch(/^trace [0-9a-f]{32} · local-app · 1 span\n└─ work · CHAIN · [\d.]+ ms\n$/);
    const directory = join(appRoot, "out", "traces");
    expect(existsSync(directory)).toBe(true);
    const [file] = readdirSync(directory);
    const lines = readFileSync(join(directory, file as string), "utf8")
      .trim()
      .split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toEqual(expect.objectContaining({ name: "work", parentSpanId: null, resource: expect.objectContaining({ "service.name": "local-app" }) }));
  });
});
