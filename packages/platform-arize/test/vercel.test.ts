import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DiagLogger } from "@opentelemetry/api";
import type { SpanExporter } from "@llmops/core";
import { getPlatform } from "@llmops/core";
import type { PlatformHandle } from "@llmops/core";
import { platform } from "@llmops/platform-arize";
import { locateVercelPackage, vercelProcessorFactory } from "../src/export/vercel";

/** An app with a fake @arizeai/openinference-vercel whose engines ask for `node`. */
function appWithVercel(node: string): string {
  const root = mkdtempSync(join(tmpdir(), "llmops-vercel-"));
  writeFileSync(join(root, "package.json"), JSON.stringify({ name: "vercel-app" }));
  const directory = join(root, "node_modules", "@arizeai", "openinference-vercel");
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, "package.json"), JSON.stringify({ name: "@arizeai/openinference-vercel", version: "9.9.9", main: "index.js", engines: { node } }));
  writeFileSync(
    join(directory, "index.js"),
    "class P { constructor(o) { this.exporter = o.exporter; this.kind = this.constructor.name; } }\n" +
      "exports.OpenInferenceBatchSpanProcessor = class OpenInferenceBatchSpanProcessor extends P {};\n" +
      "exports.OpenInferenceSimpleSpanProcessor = class OpenInferenceSimpleSpanProcessor extends P {};\n",
  );
  return root;
}

function recordingLogger(): DiagLogger & { warnings: string[] } {
  const warnings: string[] = [];
  const none = (): void => {};
  return { warnings, warn: (message: string) => warnings.push(message), error: none, info: none, debug: none, verbose: none };
}

describe("Vercel AI SDK processor", () => {
  const exporter = {} as SpanExporter;
  const major = Number(process.versions.node.split(".")[0]);

  it("wraps the exporter in OpenInference's processor when installed and the Node fits", () => {
    const logger = recordingLogger();
    const factory = vercelProcessorFactory({ appRoot: appWithVercel(`>=${major}`), setting: undefined, logger });
    expect((factory?.(exporter, true) as unknown as { kind: string }).kind).toBe("OpenInferenceBatchSpanProcessor");
    expect((factory?.(exporter, false) as unknown as { kind: string; exporter: unknown }).exporter).toBe(exporter);
    expect(logger.warnings).toEqual([]);
  });

  it("stays out when the package's engines ask for a newer Node, saying so", () => {
    const logger = recordingLogger();
    expect(vercelProcessorFactory({ appRoot: appWithVercel(`>=${major + 1}`), setting: undefined, logger })).toBeUndefined();
    expect(logger.warnings[0]).toContain(`needs Node ${major + 1}+`);
  });

  it("finds 3.x, whose exports have only an import condition, instead of taking it for not installed", () => {
    const root = mkdtempSync(join(tmpdir(), "llmops-vercel-"));
    writeFileSync(join(root, "package.json"), JSON.stringify({ name: "vercel-app" }));
    const directory = join(root, "node_modules", "@arizeai", "openinference-vercel");
    mkdirSync(join(directory, "dist", "esm"), { recursive: true });
    const exports = { ".": { types: "./dist/esm/index.d.ts", import: "./dist/esm/index.js" } };
    writeFileSync(join(directory, "package.json"), JSON.stringify({ name: "@arizeai/openinference-vercel", version: "3.2.1", type: "module", exports, engines: { node: `>=${major}` } }));
    writeFileSync(
      join(directory, "dist", "esm", "index.js"),
      "class P { constructor(o) { this.exporter = o.exporter; this.kind = this.constructor.name; } }\n" +
        "export class OpenInferenceBatchSpanProcessor extends P {}\nexport class OpenInferenceSimpleSpanProcessor extends P {}\n",
    );
    // Found through its import condition, to be loaded as an ES module (Node's require of ES modules, which jest's
    // module registry does not offer, so the load itself is not run here).
    expect(locateVercelPackage(createRequire(join(root, "package.json")))).toEqual({ entry: join(directory, "dist", "esm", "index.js"), importOnly: true });
  });

  it("names the package it imports that the app lacks, with the install command (OpenInference's undeclared sdk-trace-base)", () => {
    const root = appWithVercel(">=1");
    writeFileSync(join(root, "node_modules", "@arizeai", "openinference-vercel", "index.js"), 'require("@opentelemetry/sdk-trace-base");\n');
    writeFileSync(join(root, "package-lock.json"), "{}");
    const logger = recordingLogger();
    expect(vercelProcessorFactory({ appRoot: root, setting: undefined, logger })).toBeUndefined();
    expect(logger.warnings).toEqual([
      "@arizeai/openinference-vercel failed to load (it imports @opentelemetry/sdk-trace-base, which is not installed; install it: npm install @opentelemetry/sdk-trace-base); Vercel AI SDK spans are exported without OpenInference conversion.",
    ]);
  });

  it("stays out when turned off or not installed", () => {
    const logger = recordingLogger();
    expect(vercelProcessorFactory({ appRoot: appWithVercel(">=1"), setting: false, logger })).toBeUndefined();
    const bare = mkdtempSync(join(tmpdir(), "llmops-vercel-"));
    writeFileSync(join(bare, "package.json"), "{}");
    expect(vercelProcessorFactory({ appRoot: bare, setting: true, logger })).toBeUndefined();
    expect(logger.warnings).toEqual([]);
  });
});

describe("typed access", () => {
  it("types getPlatform('arize') by the package's PlatformRegistry augmentation", () => {
    // Compile-time: `pnpm typecheck` fails if the augmentation stops typing the handle.
    const typed = (): PlatformHandle<typeof platform> => getPlatform("arize");
    expect(typeof typed).toBe("function");
  });
});
