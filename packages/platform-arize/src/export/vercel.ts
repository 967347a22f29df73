import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { DiagLogger } from "@opentelemetry/api";
import type { SpanExporter, SpanProcessor } from "@opentelemetry/sdk-trace-base";
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
  const requireFromApp = createRequire(join(params.appRoot, "package.json"));
  let entry: string;
  try {
    entry = requireFromApp.resolve(VERCEL_PACKAGE);
  } catch {
    return undefined; // not installed: the instrumentor report says so
  }
  const required = nodeRequirement(entry);
  if (required !== undefined && Number(process.versions.node.split(".")[0]) < required) {
    params.logger.warn(`${VERCEL_PACKAGE} needs Node ${required}+ (this is Node ${process.versions.node}); Vercel AI SDK spans are exported without OpenInference conversion.`);
    return undefined;
  }
  try {
    const module = requireFromApp(entry) as { OpenInferenceBatchSpanProcessor: ProcessorConstructor; OpenInferenceSimpleSpanProcessor: ProcessorConstructor };
    return (exporter, batch) => (batch ? new module.OpenInferenceBatchSpanProcessor({ exporter }) : new module.OpenInferenceSimpleSpanProcessor({ exporter }));
  } catch (error) {
    params.logger.warn(`${VERCEL_PACKAGE} failed to load (${(error as Error).message}); Vercel AI SDK spans are exported without OpenInference conversion.`);
    return undefined;
  }
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
