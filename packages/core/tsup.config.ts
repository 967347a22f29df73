import { defineConfig } from "tsup";
import { packageBuild } from "../../tsup.base";

export default defineConfig({
  ...packageBuild({ index: "src/index.ts", testing: "src/testing/index.ts", otlp: "src/otlp/index.ts", cli: "src/cli/main.ts" }),
  // The CommonJS build loads its lazy dependencies with require() (still lazy, inside the functions that need them):
  // a real import() from CommonJS goes through the ESM resolver, which Yarn PnP's --require hook does not reach.
  // Every one of them ships CommonJS. Core only: a platform lazily importing an ESM-only package needs import().
  // `__filename` in both builds: the require and import hooks resolve their libraries from core's own location.
  shims: true,
  esbuildOptions(options, { format }) {
    if (format === "cjs") options.supported = { ...options.supported, "dynamic-import": false };
    // Which build this is (internal/build-format.ts): packages core loads for the app are loaded in the same module system.
    options.define = { ...options.define, __LLMOPS_ESM_BUILD__: format === "esm" ? "true" : "false" };
  },
});
