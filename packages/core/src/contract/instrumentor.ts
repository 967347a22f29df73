// How a platform declares the instrumentors it applies, and what each one receives.
import type { TracerProvider } from "@opentelemetry/api";
import type { SpanProcessor } from "./sdk-types";
import type { ResolvedConfig } from "./config";

/**
 * What an instrumentor instance needs to offer: the shape of an OpenTelemetry `Instrumentation`.
 * Every method is optional so that instrumentors of other shapes can be wrapped by `InstrumentorSpec.create`.
 */
export interface InstrumentationLike {
  /** Starts patching (for require hooks: modules loaded from now on). */
  enable?(): void;
  /** Stops patching. */
  disable?(): void;
  /** Points the instrumentation at a TracerProvider. */
  setTracerProvider?(tracerProvider: TracerProvider): void;
  /** Patches a module the app has already loaded (the ESM path). */
  manuallyInstrument?(moduleExports: unknown): void;
}

/** What {@link InstrumentorSpec.create} receives. */
export interface InstrumentorContext {
  /** The TracerProvider of this `instrument()` call. */
  readonly tracerProvider: TracerProvider;
  /** The resolved configuration's shared sections and the platform's section. */
  readonly config: ResolvedConfig<unknown>;
}

/**
 * What {@link InstrumentorSpec.integration} receives: the context of `create`, and how to tell the report that the
 * client library was seen calling the integration.
 */
export interface IntegrationContext extends InstrumentorContext {
  /** The installed version of the spec's `packageName` (from its `package.json`), when it could be read. */
  readonly packageVersion: string | undefined;
  /** Call when the client library calls the integration: the report line turns from `waiting` to `instrumented`. */
  seen(): void;
}

/**
 * One more module an instrumentor patches: see {@link InstrumentorSpec.moreModules}.
 *
 * @example
 * ```ts
 * import type { InstrumentorSpec } from "@llmops/core";
 * const mcp: InstrumentorSpec = {
 *   key: "mcp",
 *   packageName: "@arizeai/openinference-instrumentation-mcp",
 *   exportName: "MCPInstrumentation",
 *   moduleName: "@modelcontextprotocol/sdk/client/stdio.js",
 *   manuallyInstrumentKey: "clientStdioModule",
 *   moreModules: [{ moduleName: "@modelcontextprotocol/sdk/server/stdio.js", manuallyInstrumentKey: "serverStdioModule" }],
 * };
 * ```
 */
export interface InstrumentorModule {
  /** The module as the app imports it, e.g. `@modelcontextprotocol/sdk/server/stdio.js`. */
  readonly moduleName: string;
  /** The property of `manuallyInstrument`'s argument that carries it; the module itself when absent. */
  readonly manuallyInstrumentKey?: string;
}

/**
 * One entry of a platform's instrumentor registry: config key, module, export.
 * The package is resolved from the app, imported only when the key is enabled, and applied in isolation.
 */
export interface InstrumentorSpec {
  /** Key under `instrumentation:` in the config file, e.g. `openai`. */
  readonly key: string;
  /** npm package of the instrumentor, e.g. `@arizeai/openinference-instrumentation-openai`. */
  readonly packageName: string;
  /** The export to construct, e.g. `OpenAIInstrumentation`. */
  readonly exportName: string;
  /**
   * The module the instrumentor patches, as the app imports it, e.g. `openai` or `@langchain/core/callbacks/manager`:
   * core's require and import hooks watch this name, and it is a key of `instrument({ modules })` (as is `key`).
   */
  readonly moduleName: string;
  /** More keys `instrument({ modules })` accepts for this module, e.g. `langchainCallbacks`. */
  readonly moduleAliases?: readonly string[];
  /**
   * For an instrumentor whose `manuallyInstrument` takes an object of modules rather than the module itself: the
   * property that carries `moduleName`, e.g. `clientStdioModule` for `manuallyInstrument({ clientStdioModule })`.
   */
  readonly manuallyInstrumentKey?: string;
  /**
   * More modules the same instrumentor patches, each watched and handed to `manuallyInstrument` like `moduleName`
   * (and accepted by `instrument({ modules })` under its module name), e.g. the transports of the MCP SDK.
   */
  readonly moreModules?: readonly InstrumentorModule[];
  /**
   * Environment variables set in `process.env`, when they are not set already, once the instrumentor is applied:
   * for a client library whose own tracing would repeat the instrumentor's spans (e.g. `ANTHROPIC_OPEN_TELEMETRY`).
   */
  readonly environmentDefaults?: Readonly<Record<string, string>>;
  /**
   * Builds the instance, not yet enabled; by default `new Export({ tracerProvider, traceConfig, enabled: false,
   * instrumentationConfig: { enabled: false } })` followed by `setTracerProvider` (OpenTelemetry and OpenInference
   * conventions; `traceConfig` is the `privacy:` section). When the instance has `manuallyInstrument`, the runner
   * calls it for every copy of the module: already loaded, handed in with `modules`, and (through core's require and
   * import hooks) loaded later, each copy once. An instance without it gets `enable()` (its own require hooks).
   */
  readonly create?: (exported: unknown, context: InstrumentorContext) => InstrumentationLike;
  /**
   * For a library that traces itself through the global OpenTelemetry API (Google ADK's own spans): a span processor
   * that converts those spans, placed ahead of the exporters when the provider is assembled, when the key is not
   * `false` and `packageName` (then the library itself) is installed or the key is `true`. Nothing is patched or
   * loaded from the library; the report says `enabled`.
   */
  readonly spanProcessor?: () => Promise<SpanProcessor>;
  /**
   * For an instrumentor llmops provides itself and that the client library calls through a telemetry registry of its
   * own (the Vercel AI SDK's): builds it, or returns why the installed client cannot use it. `packageName` is then the
   * client package, which must be installed; nothing is loaded from it (an ES-module-only package is never
   * `require`d), `exportName` and `create` are unused, and no module is patched. The instance's `enable()` registers
   * it; the report says `waiting` until the integration calls `context.seen()`.
   */
  readonly integration?: (context: IntegrationContext) => InstrumentationLike | string;
}
