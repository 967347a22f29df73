import * as nodeModule from "node:module";
import { isEsmBuild } from "./build-format";
import type * as Vendor from "../vendor/otel";

/** What the bundled OpenTelemetry SDK exports (see src/vendor/otel.ts). */
export type OtelSdk = typeof Vendor;

let loaded: OtelSdk | undefined;

/**
 * The bundled OpenTelemetry SDK, loaded on first use by every part of core that needs it.
 *
 * The ES module build requires the file instead of importing it: Node imports a CommonJS file into an ES module by
 * first scanning its whole source for the names it exports, and for the bundle that scan costs more than loading it.
 * Where core was inlined by a bundler there is no file beside it to require; the `import()` below is what a bundler
 * follows and inlines, so it is the way taken then.
 */
export async function loadOtelSdk(): Promise<OtelSdk> {
  if (loaded !== undefined) return loaded;
  if (isEsmBuild()) {
    try {
      loaded = nodeModule.createRequire(__filename)("./vendor/otel.cjs") as OtelSdk;
      return loaded;
    } catch (error) {
      if ((error as { code?: unknown } | null)?.code !== "MODULE_NOT_FOUND") throw error;
    }
  }
  loaded = await import("../vendor/otel");
  return loaded;
}
