import type { TracerProvider } from "@opentelemetry/api";
import type { Platform } from "../contract/platform";

/** What one process shares between every copy of `@llmops/core` it has loaded (CJS and ESM, or two versions). */
export interface GlobalState {
  /** Platforms registered in code with `registerPlatform()`, by name. */
  readonly registered: Map<string, Platform>;
  /**
   * The handle of the latest `instrument()` of this process. `ended` once that handle was shut down or its start
   * failed: a later call then starts tracing anew (and takes the slot). `tracerProvider` is set once the handle
   * started and is live, so that `trace()` can tell synchronously, without awaiting the handle, where spans go.
   */
  active?: { readonly platform: string; handle: Promise<unknown>; readonly preloaded?: boolean; ended?: boolean; tracerProvider?: TracerProvider };
  /** The provider instrumentors were built with; each pipeline points it at its own provider (pipeline/instrumentor-provider.ts). */
  instrumentorProvider?: TracerProvider & { target: TracerProvider };
  /** `@opentelemetry/api` as the first copy of core loaded it (internal/otel-api.ts). */
  otelApi?: unknown;
  /** Messages already logged once, by key. */
  readonly warned: Set<string>;
  /** Instrumentor packages already applied in this process, so nothing is patched twice. */
  readonly appliedInstrumentors: Set<string>;
  /** The module interception shared by every copy of core (instrumentors/module-hooks.ts), once set up. */
  moduleHooks?: ModuleHookState;
}

/** What the require and import interception keeps, process-wide. */
export interface ModuleHookState {
  /** Whether import-in-the-middle's loader is registered (it cannot be unregistered). */
  esmLoader: boolean;
  /** How the ES module loader runs: in-thread (`module.registerHooks`) or on Node's loader thread (`module.register`). */
  esmLoaderKind?: "in-thread" | "loader-thread";
  /** Why `require` cannot be hooked in this process (a bundle without core's dependencies), if it cannot. */
  requireUnavailable: string | undefined;
  /** Module names that arrived through the hooks at least once. */
  readonly arrived: Set<string>;
  /** Module names hooked on the ESM side. */
  readonly esmHooked: Set<string>;
  /** The listener that receives the modules the ES module loader intercepted, once added. */
  esmListener?: unknown;
  /** Module names hooked on the require side. */
  readonly requireHooked: Set<string>;
  /** The patcher of each module name, once its instrumentor is ready. */
  readonly patchers: Map<string, (moduleExports: unknown) => void>;
  /** Modules that arrived before their patcher, by name. */
  readonly pending: Map<string, unknown[]>;
  /** Exports already patched, by instrumentor package. */
  readonly patched: Map<string, WeakSet<object>>;
  /** Removes the hooks (tests). */
  readonly unhooks: Array<() => void>;
}

const KEY = Symbol.for("llmops.core.state.v1");

/** The process-wide state, created on first use. */
export function globalState(): GlobalState {
  const holder = globalThis as { [KEY]?: GlobalState };
  holder[KEY] ??= { registered: new Map(), warned: new Set(), appliedInstrumentors: new Set() };
  return holder[KEY];
}
