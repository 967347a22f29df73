import type { InstrumentationLike, InstrumentorModule } from "../contract/instrumentor";
import { setModulePatcher } from "./module-hooks";

/** A function that hands one copy of a module to the instrumentor. */
export type ModulePatch = (moduleExports: unknown) => void;

/** What {@link loadOnArrival} needs from the runner. */
export interface LoadOnArrivalParams {
  /** The instrumentor's modules, in `targetsOf` order. */
  readonly targets: readonly InstrumentorModule[];
  /** Loads and builds the instrumentor; reports and returns undefined when it cannot. */
  readonly load: () => InstrumentationLike | undefined;
  /** One patch per target, or undefined when the instrumentor has no `manuallyInstrument`. */
  readonly patchesFor: (instance: InstrumentationLike) => ModulePatch[] | undefined;
  /** Wraps a patch so that a failure while the app loads the module is reported, never thrown into the app. */
  readonly contained: (target: InstrumentorModule, patch: ModulePatch) => ModulePatch;
  /** The instrumentor loaded but cannot patch what arrives (no `manuallyInstrument`): `target` is the module that just did. */
  readonly cannotPatch: (instance: InstrumentationLike, target: InstrumentorModule) => void;
}

/**
 * Arms an instrumentor none of whose modules has loaded: the instrumentor itself loads when one of them first arrives
 * through the require or import hooks (often never, in an app that has the package installed but does not use it).
 *
 * Its states: `idle` until a module arrives; `loading` while the instrumentor loads (it may require its own module
 * meanwhile: that copy waits and is patched once it is ready); then `ready` (every later arrival is patched) or
 * `failed` (arrivals are let through untouched).
 */
export function loadOnArrival(params: LoadOnArrivalParams): void {
  const { targets } = params;
  let state: "idle" | "loading" | "ready" | "failed" = "idle";
  const waiting: Array<{ target: number; moduleExports: unknown }> = [];
  let patches: ModulePatch[] | undefined;
  targets.forEach((target, targetIndex) => {
    setModulePatcher(target.moduleName, (moduleExports) => {
      if (state === "failed") return;
      if (state === "loading") {
        waiting.push({ target: targetIndex, moduleExports });
        return;
      }
      if (state === "idle") {
        state = "loading";
        const instance = params.load();
        const patchers = instance === undefined ? undefined : params.patchesFor(instance);
        if (instance !== undefined && patchers === undefined) params.cannotPatch(instance, target);
        state = patchers === undefined ? "failed" : "ready";
        patches = patchers?.map((patch, position) => params.contained(targets[position] ?? target, patch));
        for (const queued of waiting.splice(0)) patches?.[queued.target]?.(queued.moduleExports);
      }
      patches?.[targetIndex]?.(moduleExports);
    });
  });
}
