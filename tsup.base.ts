import type { Options } from "tsup";

/**
 * The build every published package shares: dual ESM/CJS for Node 20+, with `.d.ts` and `.d.cts` types.
 * Each package's tsup.config.ts names only its entries.
 */
export function packageBuild(entry: Record<string, string>): Options {
  // Whitespace and syntax minified, names kept (stack traces still name each function; the source maps map them back to
  // the source): the code an app loads costs less to parse and less heap to hold.
  return {
    entry,
    format: ["esm", "cjs"],
    dts: true,
    clean: true,
    sourcemap: true,
    target: "node20",
    platform: "node",
    splitting: false,
    minifyWhitespace: true,
    minifySyntax: true,
    esbuildOptions: limitLines,
  };
}

/**
 * Minified lines kept short. Node prints the source line an uncaught error was thrown from (strict mode's
 * ConfigurationError, say) above the message: with whitespace minified and no limit, that line was the whole file.
 * A build that sets its own `esbuildOptions` calls this from it.
 */
export function limitLines(options: { lineLimit?: number }): void {
  options.lineLimit = 160;
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
