import { diag, DiagLogLevel, trace, context, propagation } from "@opentelemetry/api";
import type { DiagLogger } from "@opentelemetry/api";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import * as v from "valibot";
import { clearDiscoveryCache, definePlatform } from "@llmops/core";
import type { InstrumentorSpec } from "@llmops/core";
import { globalState } from "../src/internal/global-state";

/** A package to place in a temp app's node_modules: its package.json and other files by relative path. */
export interface FakePackage {
  readonly manifest: Record<string, unknown>;
  readonly files?: Readonly<Record<string, string>>;
}

/** Creates an app folder with a package.json and node_modules holding the given packages. */
export function createTempApp(params: { dependencies?: Record<string, FakePackage>; files?: Record<string, string>; manifest?: Record<string, unknown> } = {}): string {
  const root = mkdtempSync(join(tmpdir(), "llmops-app-"));
  const dependencies = params.dependencies ?? {};
  const manifest = { name: "temp-app", version: "1.0.0", dependencies: Object.fromEntries(Object.keys(dependencies).map((name) => [name, "*"])), ...params.manifest };
  writeFileSync(join(root, "package.json"), JSON.stringify(manifest, null, 2));
  for (const [name, fake] of Object.entries(dependencies)) {
    const directory = join(root, "node_modules", name);
    mkdirSync(directory, { recursive: true });
    writeFileSync(join(directory, "package.json"), JSON.stringify({ name, version: "1.2.3", ...fake.manifest }, null, 2));
    for (const [path, text] of Object.entries(fake.files ?? {})) writeFile(join(directory, path), text);
  }
  for (const [path, text] of Object.entries(params.files ?? {})) writeFile(join(root, path), text);
  return root;
}

function writeFile(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** Messages logged through diag while `run` is active. */
export interface CapturedLogs {
  readonly messages: string[];
  text(): string;
  restore(): void;
}

/** Sends diag to an array (all levels), so tests can read what the user would see. */
export function captureDiag(): CapturedLogs {
  const messages: string[] = [];
  const push = (level: string) => (message: string, ...args: unknown[]) => {
    messages.push(`${level} ${message}${args.length > 0 ? ` ${args.map((arg) => (arg instanceof Error ? arg.message : String(arg))).join(" ")}` : ""}`);
  };
  const logger: DiagLogger = { error: push("error"), warn: push("warn"), info: push("info"), debug: push("debug"), verbose: push("verbose") };
  diag.setLogger(logger, { logLevel: DiagLogLevel.ALL, suppressOverrideMessage: true });
  return {
    messages,
    text: () => messages.join("\n"),
    restore: () => diag.disable(),
  };
}

/** Forgets everything a previous test left in the process: instrument() state, OTel globals, discovery cache. */
export function resetProcessState(): void {
  const state = globalState();
  state.active = undefined;
  state.registered.clear();
  state.warned.clear();
  state.appliedInstrumentors.clear();
  trace.disable();
  context.disable();
  propagation.disable();
  diag.disable();
  clearDiscoveryCache();
}

/** A platform exporting to memory, for pipeline tests. */
export function memoryPlatform(params: { name?: string; instrumentors?: InstrumentorSpec[]; exporter?: InMemorySpanExporter } = {}) {
  const exporter = params.exporter ?? new InMemorySpanExporter();
  const platform = definePlatform({
    name: params.name ?? "memory",
    configSection: params.name ?? "memory",
    packageName: `@llmops/platform-${params.name ?? "memory"}`,
    schema: v.object({
      label: v.optional(v.string(), "default"),
      api_key: v.optional(v.string()),
      batch: v.optional(v.boolean(), false),
    }),
    environment: [{ variable: "MEMORY_API_KEY", key: "api_key" }],
    instrumentors: params.instrumentors ?? [],
    createTracerProvider: ({ section, assembleTracerProvider }) => assembleTracerProvider({ exporters: [exporter], batch: section.batch }),
  });
  return { platform, exporter };
}
