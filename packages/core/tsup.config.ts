import type { Plugin } from "esbuild";
import { defineConfig } from "tsup";
import { bundledValibot, packageBuild } from "../../tsup.base";

/**
 * Imports of src/vendor/otel.ts and src/vendor/otel-exporters.ts, which are built on their own into dist/vendor/*.cjs
 * (the entries all sit in dist/).
 */
const vendorImport = /^(?:\.\.?\/)+vendor\/(otel(?:-exporters)?)$/;

/**
 * Core's own entries load the bundled SDK as separate files: `import("../vendor/otel")` in the source becomes
 * `require("./vendor/otel.cjs")` in the CommonJS build and `import("./vendor/otel.cjs")` in the ES module one (which
 * src/internal/otel-sdk.ts tries only after a `require` of the same file), so both builds (and every entry) share one
 * copy of the SDK in a process.
 */
const vendorExternal: Plugin = {
  name: "llmops-vendor-external",
  setup(build) {
    build.onResolve({ filter: vendorImport }, (args) => ({ path: `./vendor/${vendorImport.exec(args.path)?.[1] ?? "otel"}.cjs`, external: true }));
  },
};

export default defineConfig([
  {
    ...packageBuild({ index: "src/index.ts", testing: "src/testing/index.ts", otlp: "src/otlp/index.ts", cli: "src/cli/main.ts" }),
    ...bundledValibot,
    // The build script empties dist/ once; the two builds below run side by side and must not clean each other's output.
    clean: false,
    // The SDK's types that core's own types use (a span processor, an exporter) are written into core's declarations:
    // the SDK packages are not installed beside core.
    dts: { resolve: [/^@opentelemetry\/(?!api$)/] },
    // The CommonJS build loads its lazy dependencies with require() (still lazy, inside the functions that need them):
    // a real import() from CommonJS goes through the ESM resolver, which Yarn PnP's --require hook does not reach.
    // Every one of them ships CommonJS. Core only: a platform lazily importing an ESM-only package needs import().
    // `__filename` in both builds: the require and import hooks resolve their libraries from core's own location.
    shims: true,
    esbuildPlugins: [vendorExternal],
    esbuildOptions(options, { format }) {
      if (format === "cjs") options.supported = { ...options.supported, "dynamic-import": false };
      // Which build this is (internal/build-format.ts): packages core loads for the app are loaded in the same module system.
      options.define = { ...options.define, __LLMOPS_ESM_BUILD__: format === "esm" ? "true" : "false" };
    },
  },
  {
    // The OpenTelemetry SDK, bundled: CommonJS only (what the SDK packages ship), loaded by both builds of core.
    // `@opentelemetry/api` stays the app's own copy: its global registry is what ties llmops to the app's tracing.
    // Two files: the SDK, loaded inside instrument(), and the OTLP exporters, loaded at the first export. Each is
    // self-contained (the few @opentelemetry/core helpers both use are in each); shared state in them lives in the API.
    ...packageBuild({ "vendor/otel": "src/vendor/otel.ts", "vendor/otel-exporters": "src/vendor/otel-exporters.ts" }),
    format: ["cjs"],
    dts: false,
    clean: false,
    // Whitespace minified too: nothing in it throws into the app, so no line of it is printed above an error.
    minifyWhitespace: true,
    noExternal: [/^@opentelemetry\/(?!api$)/],
    // The bundled packages' licence, kept with their code (their own headers do not survive minifying).
    banner: {
      js: "/*! Bundles OpenTelemetry JS (@opentelemetry/sdk-trace-node, sdk-trace-base, sdk-trace, core, resources, context-async-hooks, semantic-conventions, otlp-exporter-base, otlp-transformer, exporter-trace-otlp-proto, exporter-trace-otlp-http): Copyright The OpenTelemetry Authors, licensed under the Apache License, Version 2.0, http://www.apache.org/licenses/LICENSE-2.0 */",
    },
    external: ["@opentelemetry/api"],
    esbuildOptions(options) {
      // The exporters' own import("http") / import("https") become require(), as in core's CommonJS build: a real
      // import() from CommonJS would go through the ES module loader (and any loader hook in the app) for a built-in.
      options.supported = { ...options.supported, "dynamic-import": false };
    },
  },
]);
