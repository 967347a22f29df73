import { isAbsolute, resolve } from "node:path";
import { definePlatform } from "@llmops/core";
import type { SpanProcessor } from "@llmops/core";
import { LOCAL_ENVIRONMENT, localSchema } from "./config/section";
import { JsonlFileExporter } from "./export/jsonl-file-exporter";
import { LOCAL_INSTRUMENTORS } from "./instrumentors/registry";
import { TraceTreeProcessor } from "./tree/trace-tree-processor";

/**
 * The local platform: spans as JSON lines under `local.directory` (default `.llmops/traces`, relative to the app root)
 * and, with `local.print_tree: true`, a trace tree on the terminal at each flush and at shutdown. No server.
 *
 * @example
 * ```ts
 * import { registerPlatform, getPlatform } from "@llmops/core";
 * import { platform } from "@llmops/platform-local";
 *
 * registerPlatform(platform); // only needed where there is no package.json to scan (bundles)
 * const tracing = await getPlatform("local").instrument({ config: { service: { name: "my-app" }, local: { print_tree: true } } });
 * ```
 */
export const platform = definePlatform({
  name: "local",
  configSection: "local",
  packageName: "@llmops/platform-local",
  schema: localSchema,
  environment: LOCAL_ENVIRONMENT,
  instrumentors: LOCAL_INSTRUMENTORS,
  createTracerProvider({ section, appRoot, logger, assembleTracerProvider }) {
    const directory = isAbsolute(section.directory) ? section.directory : resolve(appRoot, section.directory);
    const spanProcessors: SpanProcessor[] = section.print_tree ? [new TraceTreeProcessor({ logger })] : [];
    return assembleTracerProvider({ exporters: [new JsonlFileExporter({ directory, root: appRoot, logger })], batch: section.batch_spans, spanProcessors });
  },
});

// Types getPlatform("local") wherever this package's types are visible.
declare module "@llmops/core" {
  interface PlatformRegistry {
    /** `@llmops/platform-local`: JSONL files and a trace tree on the terminal. */
    local: typeof platform;
  }
}
