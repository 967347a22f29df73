import * as v from "valibot";
import type { EnvironmentOverride } from "@llmops/core";

/** Where spans go when `local.directory` is not set: relative to the app root. */
export const DEFAULT_DIRECTORY = ".llmops/traces";

/** The valibot schema of the `local:` section; every key has a default, so an absent section is valid. */
export const localSchema = v.object({
  /** Folder of the JSONL files, relative to the app root (or absolute). */
  directory: v.optional(v.pipe(v.string(), v.nonEmpty("must not be empty")), DEFAULT_DIRECTORY),
  /** Print a trace tree on the terminal at each flush and at shutdown. */
  print_tree: v.optional(v.boolean(), false),
  /** Batch spans before writing them (default) or write each span as it ends. */
  batch_spans: v.optional(v.boolean(), true),
});

/**
 * The `local:` section after validation, defaults applied.
 *
 * @example
 * ```ts
 * import type { LocalSection } from "@llmops/platform-local";
 *
 * const section: LocalSection = { directory: ".llmops/traces", print_tree: true, batch_spans: true };
 * ```
 */
export interface LocalSection {
  /** Folder of the JSONL files, relative to the app root (or absolute). Default `.llmops/traces`. */
  readonly directory: string;
  /** Print a trace tree on the terminal at each flush and at shutdown. Default `false`. */
  readonly print_tree: boolean;
  /** Batch spans before writing them (default `true`) or write each span as it ends. */
  readonly batch_spans: boolean;
}

/** Environment variables that override keys of the `local:` section. */
export const LOCAL_ENVIRONMENT: readonly EnvironmentOverride[] = [
  { variable: "LLMOPS_LOCAL_DIRECTORY", key: "directory" },
  { variable: "LLMOPS_LOCAL_PRINT_TREE", key: "print_tree", kind: "boolean" },
];
