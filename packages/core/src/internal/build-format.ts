/** Set by the build: true in the ES module build of core, false in the CommonJS one; not defined when run from source. */
declare const __LLMOPS_ESM_BUILD__: boolean | undefined;

/**
 * Whether this copy of core is its ES module build. Packages core loads for the app (a platform, an instrumentor) are
 * loaded in the same module system, so that they share this copy of core and the app's copy of each client, rather
 * than bringing the other build of each beside it.
 */
export function isEsmBuild(): boolean {
  return typeof __LLMOPS_ESM_BUILD__ !== "undefined" && __LLMOPS_ESM_BUILD__;
}
