import type { DiagLogger } from "@opentelemetry/api";
import type { InstrumentorModule, InstrumentorSpec } from "../contract/instrumentor";
import type { PatchOutcome } from "./module-hooks";
import { packageOf } from "./module-targets";

/**
 * What happened to one instrumentor of the registry. `instrumented` means a patch was seen: a function reachable from
 * the module's exports was replaced by `manuallyInstrument`, or (for an integration the client library calls itself,
 * such as the Vercel AI SDK's telemetry registry) the client was seen calling it. `waiting`: armed, its module has not loaded yet (the
 * report changes when it does). `patched-nothing`: it ran on the module and replaced nothing. `enabled`: an
 * instrumentor with only its own require hooks, whose patches llmops cannot see.
 */
export type InstrumentorStatus = "instrumented" | "waiting" | "patched-nothing" | "enabled" | "disabled" | "not-installed" | "failed" | "already-applied";

/** One line of the instrumentation report. */
export interface InstrumentorReport {
  /** The `instrumentation:` key. */
  readonly key: string;
  /** The instrumentor package. */
  readonly packageName: string;
  /** What happened; `waiting` turns into `instrumented` or `patched-nothing` in place when the module loads. */
  readonly status: InstrumentorStatus;
  /** Whether a patch of a loaded module (handed in with `modules`, required, or imported) was seen. */
  readonly patchedModule: boolean;
  /** Why, for `not-installed` (with the install line), `failed`, `patched-nothing`, `waiting` and `enabled`. */
  readonly message?: string;
}

/**
 * The report line of one instrumentor, kept in the report array and changed in place: by a failure, and by every patch
 * seen on one of its modules (see `patchOnce`), so the report follows what was seen, whenever the module loads.
 */
export class ReportLine {
  private readonly index: number;
  private readonly base: { readonly key: string; readonly packageName: string; readonly patchedModule: false };

  constructor(
    private readonly reports: InstrumentorReport[],
    private readonly spec: InstrumentorSpec,
    private readonly log: DiagLogger,
  ) {
    this.index = reports.length;
    this.base = { key: spec.key, packageName: spec.packageName, patchedModule: false };
  }

  /** The line as it stands; undefined before the first {@link ReportLine.set}. */
  get current(): InstrumentorReport | undefined {
    return this.reports[this.index];
  }

  /** Sets the status (and why). */
  set(status: InstrumentorStatus, message?: string): void {
    this.reports[this.index] = { ...this.base, status, ...(message === undefined ? {} : { message }) };
  }

  /** Warns and marks the instrumentor failed; later patches no longer change the line. */
  fail(message: string): void {
    this.log.warn(message);
    this.set("failed", message);
  }

  /**
   * The client library called an integration llmops registered with it (see `InstrumentorSpec.integration`):
   * `instrumented`, with no module patched.
   */
  sawCall(): void {
    const current = this.current;
    if (current === undefined || current.status === "failed" || current.status === "instrumented") return;
    this.log.debug(`instrumented ${this.spec.key}: ${this.spec.packageName} called the integration`);
    this.reports[this.index] = { ...this.base, status: "instrumented" };
  }

  /** One patch of `target` by the instrumentor: `instrumented` when it replaced something, else `patched-nothing`. */
  observe(target: InstrumentorModule, outcome: PatchOutcome): void {
    if (!outcome.ran) return;
    const { spec } = this;
    const current = this.current;
    if (current === undefined || current.status === "failed") return;
    if (outcome.changed.length > 0) {
      if (current.status !== "instrumented") this.log.debug(`instrumented ${spec.key}: ${spec.packageName} patched ${target.moduleName} (${outcome.changed.slice(0, 3).join(", ")})`);
      this.reports[this.index] = { ...this.base, status: "instrumented", patchedModule: true };
      return;
    }
    if (current.status === "instrumented") return;
    const message =
      `instrumentor ${spec.key} (${spec.packageName}) loaded but patched nothing in ${target.moduleName}: its manuallyInstrument ran and replaced no function ` +
      `of the module, so its calls are not traced. The installed ${target.moduleName} may be a version the instrumentor does not support, or another tracer patched it first; ` +
      `compare \`npm ls ${packageOf(target.moduleName)} ${spec.packageName}\` with the instrumentor's supported versions.`;
    if (current.status !== "patched-nothing") this.log.warn(message);
    this.set("patched-nothing", message);
  }
}
