import { esmLoaderRegistered, registerEsmHooks } from "../instrumentors/module-hooks";
import { instrumentorModuleNames } from "../instrumentors/module-targets";
import type { Platform } from "../contract/platform";
import { logger } from "../internal/logger";
import { messageOf } from "../errors/error-message";

/**
 * What `instrument()` does differently inside a Next.js server, told by the variables Next sets: `NEXT_RUNTIME`
 * (`nodejs` or `edge`, in the server and in `instrumentation.ts`) and `NEXT_PHASE` (`phase-production-build` in the
 * workers of `next build`).
 */

/** The variable that turns tracing on during `next build` too. */
export const TRACE_BUILD_VARIABLE = "LLMOPS_TRACE_NEXT_BUILD";

/**
 * Why tracing stays off in this process, or undefined when it goes on:
 * - on the Edge runtime, where nothing of Node's module system (hooks, files, the OpenTelemetry Node SDK) exists;
 * - while `next build` runs (its main process and its workers), where a route's code runs to prerender pages and
 *   spans would describe the build, not the app; unless `LLMOPS_TRACE_NEXT_BUILD=true`.
 *
 * @param env - the environment
 * @param argv - the process's arguments (`next build` sets `NEXT_PHASE` only once its workers start)
 */
export function nextjsTracingOff(env: Readonly<Record<string, string | undefined>>, argv: readonly string[] = process.argv): string | undefined {
  if (env.NEXT_RUNTIME === "edge") {
    return (
      "llmops traces the Node.js runtime of Next.js only: on the Edge runtime instrument() does nothing and returns a no-op handle. " +
      'Call it in instrumentation.ts under `if (process.env.NEXT_RUNTIME === "nodejs")`, and give routes that call an LLM `export const runtime = "nodejs"`.'
    );
  }
  if (/^(1|true|yes)$/i.test(env[TRACE_BUILD_VARIABLE]?.trim() ?? "")) return undefined;
  if (env.NEXT_PHASE === "phase-production-build" || isNextBuild(argv)) {
    return `next build is running: llmops does not trace the build (set ${TRACE_BUILD_VARIABLE}=true to trace it); tracing starts with next start or next dev.`;
  }
  return undefined;
}

/** `node …/next/dist/bin/next build …` (or `node_modules/.bin/next`), as `next build` runs (`NODE_OPTIONS` preloads reach it before `NEXT_PHASE` is set). */
function isNextBuild(argv: readonly string[]): boolean {
  const script = argv[1]?.replace(/\\/g, "/") ?? "";
  return /\/(next\/dist\/bin|\.bin)\/next$/.test(script) && argv.slice(2).find((argument) => !argument.startsWith("-")) === "build";
}

/**
 * In Next's Node.js runtime, `instrument()` runs in `instrumentation.ts` before any route module loads, and Next loads a
 * route's server externals with `import()` (Turbopack under a hashed alias, webpack by name): so the ES module hooks
 * are registered now, for the platform's instrumentor modules, as the `register` entry point would have.
 */
export function prepareNextjsServer(platform: Platform, appRoot: string, env: Readonly<Record<string, string | undefined>>): void {
  if (env.NEXT_RUNTIME !== "nodejs" || esmLoaderRegistered()) return;
  try {
    const registered = registerEsmHooks([...new Set(platform.instrumentors.flatMap(instrumentorModuleNames))], appRoot);
    logger.debug(`Next.js server: ES module hooks ${registered ? "registered" : "not available"} for the instrumentors' modules.`);
  } catch (error) {
    logger.warn(`llmops could not register its ES module loader in the Next.js server (${messageOf(error)}); modules loaded with require are still patched.`);
  }
}
