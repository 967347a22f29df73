import * as nodeModule from "node:module";
import { dirname, join } from "node:path";
import { VERSION } from "../version";
import { isEsmBuild } from "./build-format";
import { readRegularFile } from "./read-file";
import type * as Vendor from "../vendor/otel";
import type * as VendorExporters from "../vendor/otel-exporters";

/** What the bundled OpenTelemetry SDK exports (see src/vendor/otel.ts). */
export type OtelSdk = typeof Vendor;

/** What the bundled OTLP exporters export (see src/vendor/otel-exporters.ts). */
export type OtlpExporters = typeof VendorExporters;

/** Core's own package.json is a few KB: a larger file there is not core's. */
const MAX_MANIFEST_BYTES = 64 * 1024;

let besideChecked: boolean | undefined;

let sdk: OtelSdk | undefined;
let exporters: OtlpExporters | undefined;

/** The bundled OpenTelemetry SDK, loaded on first use by every part of core that needs it. */
export async function loadOtelSdk(): Promise<OtelSdk> {
  sdk ??= requireBeside<OtelSdk>("./vendor/otel.cjs") ?? (await import("../vendor/otel"));
  return sdk;
}

/** The bundled OTLP/HTTP trace exporters, loaded when core creates its first exporter. */
export async function loadOtlpExporters(): Promise<OtlpExporters> {
  exporters ??= requireBeside<OtlpExporters>("./vendor/otel-exporters.cjs") ?? (await import("../vendor/otel-exporters"));
  return exporters;
}

/**
 * A vendor file beside this build, required, in the ES module build (the CommonJS build's `import()` already is a
 * `require`). Node imports a CommonJS file into an ES module by first scanning its whole source for the names it
 * exports, and for the bundled SDK that scan costs more than loading it. Where core was inlined by a bundler there is
 * usually no file beside it: undefined then, and the caller's `import()`, which the bundler followed and inlined, is
 * used.
 *
 * The file is taken only when the package.json above it is this release of core's, checked before the file runs.
 * webpack writes `import.meta.url` into a bundle at build time, so "beside this build" is then the build machine's
 * `node_modules/@llmops/core/dist`, where the bundle may find, at run time, another release of core whose SDK does not
 * go with the core code inlined in the bundle: that SDK is then neither used nor even loaded.
 */
function requireBeside<T>(file: string): T | undefined {
  if (!isEsmBuild() || !besideIsThisRelease()) return undefined;
  try {
    return nodeModule.createRequire(__filename)(file) as T;
  } catch (error) {
    if ((error as { code?: unknown } | null)?.code !== "MODULE_NOT_FOUND") throw error;
    return undefined;
  }
}

/** Whether the package.json above this build's folder is this release of core's (any other, or none: false). */
function besideIsThisRelease(): boolean {
  besideChecked ??= readsAsThisRelease();
  return besideChecked;
}

function readsAsThisRelease(): boolean {
  const read = readRegularFile(join(dirname(__filename), "..", "package.json"), MAX_MANIFEST_BYTES);
  if (read.kind !== "text") return false;
  try {
    const manifest = JSON.parse(read.text) as { name?: unknown; version?: unknown } | null;
    return manifest?.name === "@llmops/core" && manifest.version === VERSION;
  } catch {
    return false;
  }
}
