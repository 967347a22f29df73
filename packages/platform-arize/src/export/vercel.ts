import { existsSync, readFileSync } from "node:fs";
import * as nodeModule from "node:module";
import { dirname, join } from "node:path";
import type { DiagLogger } from "@opentelemetry/api";
import { installCommand } from "@llmops/core";
import type { SpanExporter, SpanProcessor } from "@llmops/core";
import { VERCEL_PACKAGE } from "../instrumentors/registry";

type ProcessorConstructor = new (options: { exporter: SpanExporter }) => SpanProcessor;

/**
 * The span-processor factory of OpenInference's Vercel AI SDK support, when `@arizeai/openinference-vercel` is
 * installed in the app, `instrumentation.vercel` is not false, and the running Node satisfies the package's
 * `engines` (3.x needs Node 22). It converts the AI SDK's spans (`experimental_telemetry`) to OpenInference and passes
 * other spans through. Undefined otherwise.
 */
export function vercelProcessorFactory(params: { appRoot: string; setting: boolean | undefined; logger: DiagLogger }): ((exporter: SpanExporter, batch: boolean) => SpanProcessor) | undefined {
  if (params.setting === false) return undefined;
  // Through the namespace: webpack turns a named-import `createRequire(<run-time path>)` into `undefined`.
  const requireFromApp = nodeModule.createRequire(join(params.appRoot, "package.json"));
  const located = locateVercelPackage(requireFromApp);
  if (located === undefined) return undefined; // not installed
  const { entry, importOnly } = located;
  const required = nodeRequirement(entry);
  if (required !== undefined && Number(process.versions.node.split(".")[0]) < required) {
    params.logger.warn(`${VERCEL_PACKAGE} needs Node ${required}+ (this is Node ${process.versions.node}); Vercel AI SDK spans are exported without OpenInference conversion.`);
    return undefined;
  }
  // 3.x is an ES module only: `require` loads it where Node can require ES modules (20.19, 22.12 and later), and its
  // engines already ask for Node 22.
  try {
    const module = requireFromApp(entry) as { OpenInferenceBatchSpanProcessor: ProcessorConstructor; OpenInferenceSimpleSpanProcessor: ProcessorConstructor };
    return (exporter, batch) => (batch ? new module.OpenInferenceBatchSpanProcessor({ exporter }) : new module.OpenInferenceSimpleSpanProcessor({ exporter }));
  } catch (error) {
    const why =
      importOnly && (error as { code?: unknown }).code === "ERR_REQUIRE_ESM" ? `it is an ES module only, which Node ${process.versions.node} cannot require` : missingImport(error, params.appRoot);
    params.logger.warn(`${VERCEL_PACKAGE} failed to load (${why}); Vercel AI SDK spans are exported without OpenInference conversion.`);
    return undefined;
  }
}

/**
 * The entry of the installed package: through `require` resolution (2.x), else (3.x, whose `exports` have only an
 * `import` condition, which `require.resolve` does not see) its folder on the app's lookup paths and that condition.
 */
export function locateVercelPackage(requireFromApp: NodeJS.Require): { entry: string; importOnly: boolean } | undefined {
  try {
    return { entry: requireFromApp.resolve(VERCEL_PACKAGE), importOnly: false };
  } catch {
    // not resolvable with require: look for an import-only package
  }
  for (const directory of requireFromApp.resolve.paths(VERCEL_PACKAGE) ?? []) {
    const manifestPath = join(directory, VERCEL_PACKAGE, "package.json");
    if (!existsSync(manifestPath)) continue;
    try {
      const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { exports?: Record<string, unknown>; module?: unknown };
      const root = manifest.exports?.["."];
      const entry = typeof root === "string" ? root : typeof root === "object" && root !== null ? (root as Record<string, unknown>).import : manifest.module;
      const path = typeof entry === "string" ? entry : typeof entry === "object" && entry !== null ? (entry as Record<string, unknown>).default : undefined;
      if (typeof path === "string") return { entry: join(directory, VERCEL_PACKAGE, path), importOnly: true };
    } catch {
      // an unreadable manifest: not this copy
    }
  }
  return undefined;
}

/** The lowest Node major a package's `engines.node` asks for with `>=N`, if it states one. */
function nodeRequirement(entry: string): number | undefined {
  let directory = dirname(entry);
  for (let depth = 0; depth < 6; depth++) {
    try {
      const manifest = JSON.parse(readFileSync(join(directory, "package.json"), "utf8")) as { name?: string; engines?: { node?: string } };
      if (manifest.name === VERCEL_PACKAGE) {
        const match = /^\s*>=\s*(\d+)/.exec(manifest.engines?.node ?? "");
        return match?.[1] === undefined ? undefined : Number(match[1]);
      }
    } catch {
      // not this folder
    }
    directory = dirname(directory);
  }
  return undefined;
}

/**
 * Why loading the package failed, with the fix when it is a package it imports that the app lacks: OpenInference's
 * processors import `@opentelemetry/sdk-trace-base` without declaring it, so it is there only when the app (or another
 * of its packages) installed it.
 */
function missingImport(error: unknown, appRoot: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | undefined)?.code;
  const missing = /Cannot find (?:module|package) '((?:@[^/']+\/)?[^/']+)/.exec(message)?.[1];
  if ((code !== "MODULE_NOT_FOUND" && code !== "ERR_MODULE_NOT_FOUND") || missing === undefined || missing === VERCEL_PACKAGE) return message.split("\n")[0] ?? message;
  return `it imports ${missing}, which is not installed; install it: ${installCommand(missing, appRoot)}`;
}
