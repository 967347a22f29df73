import { context, diag, propagation, trace } from "@opentelemetry/api";
import { clearDiscoveryCache } from "@llmops/core";

/**
 * The process-wide state every copy of `@llmops/core` shares, under the key core keeps it at: reachable here
 * without importing core's internals.
 */
interface CoreState {
  active?: unknown;
  readonly registered: Map<string, unknown>;
  readonly warned: Set<string>;
  readonly appliedInstrumentors: Set<string>;
}

const CORE_STATE = Symbol.for("llmops.core.state.v1");

/** Forgets everything a previous test left in the process: instrument() state, OTel globals, discovery cache. */
export function resetProcessState(): void {
  const state = (globalThis as { [CORE_STATE]?: CoreState })[CORE_STATE];
  if (state !== undefined) {
    state.active = undefined;
    state.registered.clear();
    state.warned.clear();
    state.appliedInstrumentors.clear();
  }
  trace.disable();
  context.disable();
  propagation.disable();
  diag.disable();
  clearDiscoveryCache();
}
