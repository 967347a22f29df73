import { relative } from "node:path";
import type { InstrumentorSpec } from "../contract/instrumentor";
import { globalState } from "../internal/global-state";
import { componentLogger } from "../internal/logger";
import { moduleArrived } from "./module-hooks";
import { identifierFor, targetsOf } from "./module-targets";

/** What the advice needs to know of the `instrument()` call. */
export interface EsmAdviceOptions {
  readonly platformName: string;
  /** The platform's npm package, for the `--import <package>/register` hint. */
  readonly platformPackage?: string;
  /** See `RunInstrumentorsOptions.esmCheckDelayMillis`. */
  readonly esmCheckDelayMillis?: number;
}

/** Checks after a moment (or at exit, whichever is first) which of these modules never arrived through `require`. */
export function scheduleEsmCheck(unseen: readonly InstrumentorSpec[], options: EsmAdviceOptions): void {
  const check = (): void => {
    const stillUnseen = unseen.filter((spec) => !targetsOf(spec).some((target) => moduleArrived(target.moduleName)));
    if (stillUnseen.length > 0) warnAboutEsm(stillUnseen, options);
  };
  const delay = options.esmCheckDelayMillis ?? 1_000;
  if (delay <= 0) {
    check();
    return;
  }
  const timer = setTimeout(() => {
    process.removeListener("exit", atExit);
    check();
  }, delay);
  timer.unref();
  const atExit = (): void => {
    clearTimeout(timer);
    check();
  };
  process.once("exit", atExit);
}

/**
 * One message for an ES module app that called `instrument()` without the loader and without handing its modules in:
 * modules it imports with `import` cannot be reached from here. Names the two fixes.
 */
function warnAboutEsm(unseen: readonly InstrumentorSpec[], options: EsmAdviceOptions): void {
  const key = "esm-unpatched";
  if (globalState().warned.has(key)) return;
  globalState().warned.add(key);
  const names = unseen.map((spec) => spec.moduleName);
  const example = unseen.map((spec) => `${identifierFor(spec)}`).join(", ");
  const register = options.platformPackage === undefined ? "<platform package>/register" : `${options.platformPackage}/register`;
  componentLogger(options.platformName).warn(
    `instrument() ran in an ES module app without llmops's loader, and ${names.join(", ")} ${names.length === 1 ? "was" : "were"} installed but neither handed in nor required. ` +
      `If the app imports ${names.length === 1 ? "it" : "them"} with "import", ${names.length === 1 ? "its" : "their"} calls are not traced: an ES module cannot be patched from here. Fix it either way: ` +
      `(1) start the app with: node --import ${register} ${entryName()} (no code change), or ` +
      `(2) hand the imported modules in: instrument({ modules: { ${example} } }).`,
  );
}

function entryName(): string {
  const entry = process.argv[1];
  return entry === undefined ? "<app entry>" : relative(process.cwd(), entry) || entry;
}

/** Whether the process was started from an ES module (CommonJS entry points set `process.mainModule`). */
export function entryIsEsModule(): boolean {
  return process.argv[1] !== undefined && (process as { mainModule?: unknown }).mainModule === undefined;
}
