import { defineConfig } from "tsup";

// ES module and CommonJS builds with types for both, so that apps of either kind can install the package.
export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  sourcemap: true,
  target: "node20",
  // Core, the OpenTelemetry API and valibot come from the app: one copy of each.
  external: ["@llmops/core", "@opentelemetry/api", "valibot"],
});
