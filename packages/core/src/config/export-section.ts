import type * as Valibot from "valibot";
import type * as ValibotFunctions from "./valibot";
import type { ExportConfig } from "../contract/config";

/**
 * `export.queue_memory_mb`: a positive number of MB, written as a number in a file or as a string by
 * `LLMOPS_EXPORT_QUEUE_MEMORY_MB`.
 */
export function exportQueueMemorySchema(v: typeof ValibotFunctions): Valibot.GenericSchema {
  return v.pipe(v.union([v.number(), v.pipe(v.string(), v.trim(), v.regex(/^\d+(\.\d+)?$/, "must be a number of MB"))]), v.transform(Number), v.number(), v.minValue(1, "must be at least 1 (MB)"));
}

/** The validated `export:` section as {@link ExportConfig}. */
export function toExportConfig(section: unknown): ExportConfig {
  const queueMemoryMb = (section as { queue_memory_mb?: number } | null | undefined)?.queue_memory_mb;
  return queueMemoryMb === undefined ? {} : { queueMemoryMb };
}
