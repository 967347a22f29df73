import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import * as v from "valibot";
import { definePlatform } from "@llmops/core";
import type { InstrumentorSpec } from "@llmops/core";

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
