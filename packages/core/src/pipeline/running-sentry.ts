/** What llmops needs to know of a Sentry SDK running in the process. */
export interface RunningSentry {
  /** `Sentry.init({ enableOpenTelemetrySetup: true })`: Sentry's spans are the OpenTelemetry context's active spans. */
  readonly openTelemetrySetup: boolean;
  /** Sentry's OpenAI integration (on by default) is installed: it traces every OpenAI call. */
  readonly openAIIntegration: boolean;
}

/** Said when LLM spans cannot join Sentry's traces. */
export const SENTRY_WITHOUT_OPENTELEMETRY =
  "Sentry runs without its OpenTelemetry setup, so LLM spans are not joined to Sentry's traces: pass enableOpenTelemetrySetup: true to Sentry.init() (llmops docs: frameworks/sentry.md).";

/** Said when one OpenAI call would be traced by both. */
export const SENTRY_OPENAI_TWICE =
  "Sentry's OpenAI integration and llmops's openai instrumentor both trace each OpenAI call. Keep one: Sentry.init({ integrations: (defaults) => defaults.filter((integration) => integration.name !== \"OpenAI\") }) " +
  "to send LLM spans only to your llmops platform, or instrumentation.openai: false to keep them only in Sentry (llmops docs: frameworks/sentry.md).";

interface SentryClient {
  getOptions(): { enableOpenTelemetrySetup?: unknown };
  getIntegrationByName(name: string): unknown;
}

interface SentryScope {
  getClient(): SentryClient | undefined;
}

/**
 * The Sentry SDK initialised in this process, read from the carrier every copy of `@sentry/core` (CommonJS and ES
 * module builds alike) shares on `globalThis.__SENTRY__`, or undefined: not initialised, or a carrier this code does
 * not recognise. Never throws: the carrier is another SDK's and may change shape.
 */
export function runningSentry(): RunningSentry | undefined {
  try {
    const carrier = (globalThis as { __SENTRY__?: Record<string, unknown> }).__SENTRY__;
    const version = carrier?.version;
    if (carrier === undefined || typeof version !== "string") return undefined;
    const current = carrier[version] as { acs?: { getCurrentScope?: () => SentryScope }; defaultCurrentScope?: SentryScope } | undefined;
    const client = current?.acs?.getCurrentScope?.().getClient() ?? current?.defaultCurrentScope?.getClient();
    if (client === undefined) return undefined;
    return { openTelemetrySetup: client.getOptions().enableOpenTelemetrySetup === true, openAIIntegration: client.getIntegrationByName("OpenAI") !== undefined };
  } catch {
    return undefined;
  }
}
