/**
 * In an app process started by `runApp`, makes `@llmops/core` and `@llmops/platform-arize` load from `src`, and the
 * shared test support from its sources (what the jest projects' moduleNameMapper does for unit tests), so the process
 * runs the code under test, not a stale `dist`. Import it before anything that imports those packages.
 */
import Module from "node:module";
import { join } from "node:path";

const packages = join(__dirname, "..", "..", "..");
const testSupport = join(packages, "..", "test", "support", "src");
const ALIASES: Readonly<Record<string, string>> = {
  "@llmops/core": join(packages, "core", "src", "index.ts"),
  "@llmops/core/otlp": join(packages, "core", "src", "otlp", "index.ts"),
  "@llmops/platform-arize": join(packages, "platform-arize", "src", "index.ts"),
  "@llmops-internal/test-support": join(testSupport, "index.ts"),
  "@llmops-internal/test-support/process-state": join(testSupport, "process-state.ts"),
};

type Resolve = (request: string, ...rest: unknown[]) => string;
const loader = Module as unknown as { _resolveFilename: Resolve };
const resolveFilename = loader._resolveFilename;
loader._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]): string {
  return ALIASES[request] ?? resolveFilename.call(this, request, ...rest);
};
