import { isMainThread } from "node:worker_threads";
import { registerPlatform, registeredOverDiscovered } from "./get-platform";
import { registerEsmHooks } from "../instrumentors/module-hooks";
import { instrumentorModuleNames } from "../instrumentors/module-targets";
import { findAppRoot } from "../internal/app-root";
import { globalState } from "../internal/global-state";
import { logger } from "../internal/logger";
import { otelApi } from "../internal/otel-api";
import type { Platform, PlatformConfig } from "../contract/platform";
import type { FlushResult, InstrumentationHandle } from "../pipeline/handle";
import type { InstrumentOptions } from "../pipeline/instrument-options";
import { noopHandle } from "../pipeline/handle";
import { instrumentWith } from "../pipeline/instrument";
import { nextjsTracingOff } from "../pipeline/nextjs";
import { messageOf } from "../errors/error-message";

/**
 * Starts tracing before the app's own code loads: what a platform's `register` entry point runs for
 * `node --import <platform>/register app.mjs` and `node --require <platform>/register app.cjs`.
 *
 * It registers the platform (so `getPlatform(name)` finds it, bundled or not), registers import-in-the-middle's ES
 * module loader limited to the modules of the platform's instrumentors (every other import goes by untouched), and runs
 * the normal pipeline: config file, environment, validation, provider, instrumentors. Modules the app loads afterwards,
 * with `require` or `import`, are patched as they load. An `instrument()` the app calls later returns the same handle.
 *
 * Under `--import`, await the result (top-level await): Node starts the app once it resolves, so the first call is traced.
 * Under `--require` the app starts at once; modules it loads in the meantime are patched as soon as the pipeline is ready.
 * Permissive mode (the default) never rejects; strict mode rejects with every problem, which stops the process.
 *
 * @param platform - the platform object, e.g. `platform` of `@llmops/platform-arize`
 * @param options - the options of `instrument()`; by default the config file of the app at the working directory
 * @returns the handle, as `instrument()` returns it
 *
 * @example
 * ```js
 * // register.mjs of a platform package, used as: node --import my-llmops-platform/register app.mjs
 * import { preloadPlatform } from "@llmops/core";
 * import { platform } from "./dist/index.js";
 * await preloadPlatform(platform);
 * ```
 */
export function preloadPlatform<P extends Platform>(platform: P, options: InstrumentOptions<PlatformConfig<P>> = {}): Promise<InstrumentationHandle> {
  // Preloads (--require, and --import in some Node versions) also run in every worker thread, Node's own module-hooks
  // worker included, where a second pipeline (and a loader registered from inside the loader) would do harm.
  // A worker of the app that wants tracing calls instrument() itself.
  if (!isMainThread) {
    logger.debug(`${platform.packageName}/register: not the main thread; tracing starts only on the main thread.`);
    return otelApi().then((otel) => noopHandle(otel.trace.getTracerProvider(), platform.name));
  }
  registerPlatform(platform);
  try {
    // Not in `next build` (unless asked), nor where Next runs its Edge runtime: the pipeline below says why.
    if (nextjsTracingOff(options.env ?? process.env) === undefined)
      registerEsmHooks([...new Set(platform.instrumentors.flatMap(instrumentorModuleNames))], options.appRoot ?? findAppRoot(process.cwd(), options.env ?? process.env));
  } catch (error) {
    logger.warn(`llmops could not register its ES module loader (${messageOf(error)}); modules loaded with require are still patched.`);
  }
  return instrumentWith(platform.name, () => Promise.resolve(platform), options as InstrumentOptions, true, registeredOverDiscovered(platform));
}

/**
 * The handle of the latest `instrument()` of this process (from code or from a `register` entry point), or
 * undefined when none was called. After a failed start in permissive mode it is the no-op handle, whose `issues` say
 * why; after `shutdown()`, the shut-down handle, until a new `instrument()` call starts. Shared by every copy of core
 * in the process.
 *
 * @example
 * ```ts
 * import { getActiveInstrumentation } from "@llmops/core";
 * const tracing = await getActiveInstrumentation();
 * console.log(tracing?.platform, tracing?.instrumentations);
 * ```
 */
export async function getActiveInstrumentation(): Promise<InstrumentationHandle | undefined> {
  const active = globalState().active;
  if (active === undefined) return undefined;
  try {
    return (await active.handle) as InstrumentationHandle;
  } catch {
    return undefined;
  }
}

/**
 * Exports every span ended so far through the running `instrument()`, wherever it was started: call it before a
 * serverless handler returns (the platform may freeze the process right after). Resolves, never rejects, within
 * `timeoutMillis` (default 5 s); `{ ok: true }` with nothing to do when tracing is off.
 *
 * @example
 * ```ts
 * import { forceFlush } from "@llmops/core";
 * export const handler = async (event) => {
 *   const answer = await answerWithOpenAI(event);
 *   await forceFlush();
 *   return answer;
 * };
 * ```
 */
export async function forceFlush(options?: { readonly timeoutMillis?: number }): Promise<FlushResult> {
  const handle = await getActiveInstrumentation();
  if (handle === undefined) return { ok: true, timedOut: false };
  return handle.forceFlush(options);
}
