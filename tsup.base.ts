import type { Options } from "tsup";

/**
 * The build every published package shares: dual ESM/CJS for Node 20+, with `.d.ts` and `.d.cts` types.
 * Each package's tsup.config.ts names only its entries.
 */
export function packageBuild(entry: Record<string, string>): Options {
  // Syntax minified, names kept (stack traces still name each function; the source maps map them back to the source):
  // less code to parse and hold. Whitespace is kept, one statement to a line: Node prints the source line an uncaught
  // error was thrown from (strict mode's ConfigurationError, say) above its message, and with whitespace minified that
  // line was the whole file. esbuild's `lineLimit` is no way out: it breaks long strings with line continuations,
  // which a tool that re-indents code (Rollup's CommonJS plugin) turns into whitespace inside the string.
  return { entry, format: ["esm", "cjs"], dts: true, clean: true, sourcemap: true, target: "node20", platform: "node", splitting: false, minifySyntax: true };
}

/**
 * For packages that build schemas with valibot: the functions they use are bundled in, not loaded from the valibot
 * package (whose one file an app would otherwise parse whole at start-up). Its types stay a dependency: the published
 * declarations use them. The banner keeps valibot's licence notice with its code.
 */
export const bundledValibot = {
  noExternal: ["valibot"],
  banner: { js: "/*! Bundles parts of valibot (https://valibot.dev): Copyright (c) Fabian Hiller, MIT License */" },
} satisfies Options;
