import type { Options } from "tsup";

/**
 * The build every published package shares: dual ESM/CJS for Node 20+, with `.d.ts` and `.d.cts` types.
 * Each package's tsup.config.ts names only its entries.
 */
export function packageBuild(entry: Record<string, string>): Options {
  return { entry, format: ["esm", "cjs"], dts: true, clean: true, sourcemap: true, target: "node20", platform: "node", splitting: false };
}
