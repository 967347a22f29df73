// Bundles index.mjs, with openai, llmops and the OpenTelemetry SDK inside, into dist/index.mjs, and puts the config
// beside it: dist/ is what gets deployed.
import { copyFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));

await build({
  entryPoints: [join(here, "index.mjs")],
  outfile: join(here, "dist", "index.mjs"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // llmops loads an instrumentor by its package name from the app's node_modules when instrument() runs, so the
  // instrumentor packages stay outside the bundle: ship them in node_modules beside it (a deployment's
  // "external" packages, or a layer). Everything else, openai included, is in the one file.
  // cosmiconfig requires `typescript` only to read an llmops.config.ts; this app's config is YAML.
  external: ["@arizeai/openinference-instrumentation-*", "typescript"],
  // The packages as published (their package.json exports), not the monorepo's tsconfig paths to their sources.
  tsconfigRaw: {},
  // CommonJS code inside an ES module bundle still calls require().
  banner: { js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);' },
  logLevel: "warning",
});
copyFileSync(join(here, "llmops.yaml"), join(here, "dist", "llmops.yaml"));
console.log("bundled into dist/index.mjs");
