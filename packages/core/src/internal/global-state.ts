import type { Platform } from "../platform/platform";

/** What one process shares between every copy of `@llmops/core` it has loaded (CJS and ESM, or two versions). */
export interface GlobalState {
  /** Platforms registered in code with `registerPlatform()`, by name. */
  readonly registered: Map<string, Platform>;
  /** The handle of the first `instrument()` of this process, once it has run. */
  active?: { readonly platform: string; readonly handle: Promise<unknown> };
  /** Messages already logged once, by key. */
  readonly warned: Set<string>;
  /** Instrumentor packages already applied in this process, so nothing is patched twice. */
  readonly appliedInstrumentors: Set<string>;
}

const KEY = Symbol.for("llmops.core.state.v1");

/** The process-wide state, created on first use. */
export function globalState(): GlobalState {
  const holder = globalThis as { [KEY]?: GlobalState };
  holder[KEY] ??= { registered: new Map(), warned: new Set(), appliedInstrumentors: new Set() };
  return holder[KEY];
}
