// The session, user, metadata, tags and attributes that `withSession()` and its siblings put in the OpenTelemetry
// context, and the keys they are kept under. Shared by the public functions that set them (tracing/context.ts) and
// the span processor that writes them on every span (provider/context-processor.ts). Loads nothing at import.
import type { Attributes } from "@opentelemetry/api";

/** OpenInference attribute names. */
export const SESSION_ID = "session.id";
export const USER_ID = "user.id";
export const METADATA = "metadata";
export const TAG_TAGS = "tag.tags";

/**
 * The context key of llmops's own value. `createContextKey(description)` of `@opentelemetry/api` is
 * `Symbol.for(description)`, so the key is the same for every copy of core and of the API in the process.
 */
export const SPAN_CONTEXT_KEY: symbol = Symbol.for("llmops.span-context.v1");

/**
 * The keys OpenInference instrumentors read (`@arizeai/openinference-core`'s `setSession`, `setUser`, `setMetadata`,
 * `setTags`, `setAttributes`): `createContextKey("OpenInference SDK Context Key <name>")`. Their values are what
 * openinference-core stores: the ids as strings, metadata, tags and attributes as JSON text.
 */
export const OPENINFERENCE_KEYS = {
  sessionId: Symbol.for(`OpenInference SDK Context Key ${SESSION_ID}`),
  userId: Symbol.for(`OpenInference SDK Context Key ${USER_ID}`),
  metadata: Symbol.for(`OpenInference SDK Context Key ${METADATA}`),
  tags: Symbol.for(`OpenInference SDK Context Key ${TAG_TAGS}`),
  attributes: Symbol.for("OpenInference SDK Context Key attributes"),
} as const;

/** What one `withContext()` level holds, merged over the levels around it. Never changed once made. */
export interface SpanContextValue {
  readonly sessionId?: string;
  readonly userId?: string;
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly tags?: readonly string[];
  readonly attributes?: Readonly<Attributes>;
  /** The span attributes all of the above make, computed once per level so that each span start only copies them. */
  readonly spanAttributes: Readonly<Attributes>;
}
