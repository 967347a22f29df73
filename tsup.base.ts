import type { Options } from "tsup";

/**
 * The build every published package shares: dual ESM/CJS for Node 20+, with `.d.ts` and `.d.cts` types.
 * Each package's tsup.config.ts names only its entries.
 */
export function packageBuild(entry: Record<string, string>): Options {
  // Whitespace and syntax minified, names kept (stack traces still name each function; the source maps map them back to
  // the source): the code an app loads costs less to parse and less heap to hold.
  return { entry, format: ["esm", "cjs"], dts: true, clean: true, sourcemap: true, target: "node20", platform: "node", splitting: false, minifyWhitespace: true, minifySyntax: true };
}
