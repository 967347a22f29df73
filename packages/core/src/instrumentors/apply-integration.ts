import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { DiagLogger, TracerProvider } from "@opentelemetry/api";
import type { ResolvedConfig } from "../contract/config";
import type { InstrumentorSpec, IntegrationContext } from "../contract/instrumentor";
import { messageOf } from "../errors/error-message";
import { redactSecrets } from "../helpers/redact";
import type { ReportLine } from "./report";

/**
 * Applies an instrumentor llmops provides itself (`InstrumentorSpec.integration`): builds it and lets it register with
 * the client library. Nothing is loaded from the client package, so an ES-module-only one is never `require`d. The
 * line says `waiting` until the client calls the integration, `patched-nothing` when the installed client cannot use
 * it (a warning only when the config set the key to `true`). Never throws.
 */
export function applyIntegration(
  spec: InstrumentorSpec,
  integration: NonNullable<InstrumentorSpec["integration"]>,
  options: { line: ReportLine; log: DiagLogger; resolved: string; tracerProvider: TracerProvider; config: ResolvedConfig<unknown> },
): void {
  const { line, log } = options;
  const context: IntegrationContext = {
    tracerProvider: options.tracerProvider,
    config: options.config,
    packageVersion: installedVersion(spec.packageName, options.resolved),
    seen: () => line.sawCall(),
  };
  try {
    const instance = integration(context);
    if (typeof instance === "string") {
      // Said at debug level unless the config asked for this instrumentor: an older client the app runs on purpose
      // (traced another way) is not a problem to warn about at every start.
      if (options.config.instrumentation[spec.key] === true) log.warn(instance);
      else log.debug(instance);
      line.set("patched-nothing", instance);
      return;
    }
    line.set("waiting", `${spec.packageName} ${context.packageVersion ?? ""} is traced through its own telemetry registry; the report says instrumented once it calls llmops.`.replace("  ", " "));
    instance.enable?.();
    log.debug(`applied ${spec.key}: registered with ${spec.packageName}`);
  } catch (error) {
    line.fail(`instrumentor ${spec.key} (${spec.packageName}) failed: ${redactSecrets(messageOf(error))}; the others continue.`);
  }
}

/** The `version` of the package a resolved entry file belongs to, read from the nearest `package.json` naming it. */
function installedVersion(packageName: string, resolved: string): string | undefined {
  let directory = dirname(resolved);
  for (let depth = 0; depth < 8; depth++) {
    try {
      const manifest = JSON.parse(readFileSync(join(directory, "package.json"), "utf8")) as { name?: unknown; version?: unknown };
      if (manifest.name === packageName) return typeof manifest.version === "string" ? manifest.version : undefined;
    } catch {
      // no manifest here: look further up
    }
    const parent = dirname(directory);
    if (parent === directory) break;
    directory = parent;
  }
  return undefined;
}
