import type { AttributeValue, Attributes, Context } from "@opentelemetry/api";
import { messageOf } from "../errors/error-message";
import { globalState } from "../internal/global-state";
import { warnOnce } from "../internal/logger";
import { loadedOtelApi } from "../internal/otel-api";
import type { OtelApi } from "../internal/otel-api";
import { METADATA, OPENINFERENCE_KEYS, SESSION_ID, SPAN_CONTEXT_KEY, TAG_TAGS, USER_ID } from "../internal/span-context";
import type { SpanContextValue } from "../internal/span-context";

/** What {@link withContext} applies to the spans started inside it; every field is optional. */
export interface TracingContext {
  /** `session.id`: the conversation or session the work belongs to. */
  readonly sessionId?: string;
  /** `user.id`: who the work is done for. */
  readonly userId?: string;
  /** `metadata` (as JSON text): merged key by key over the metadata of the calls around this one. */
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** `tag.tags`: added to the tags of the calls around this one, each tag once. */
  readonly tags?: readonly string[];
  /** Span attributes of your own, merged key by key over those of the calls around this one. */
  readonly attributes?: Readonly<Record<string, AttributeValue>>;
}

/**
 * The OpenTelemetry API while tracing runs in this process; undefined when tracing was never started, is still
 * loading it, or was shut down: then the context functions only call their function.
 */
function tracingApi(): OtelApi | undefined {
  const active = globalState().active;
  if (active === undefined || active.ended === true) return undefined;
  return loadedOtelApi();
}

/**
 * Runs `fn` with `values` applied to every span started inside it (until `fn`'s promise settles, through `await`,
 * timers, event emitters and async generators), merged over the values of the calls around it: the session and user
 * of the innermost call that gives one, metadata and attributes merged key by key (inner wins), tags accumulated, each
 * once. Returns what `fn` returns, unchanged (a promise stays the same promise); what `fn` throws reaches the caller
 * unchanged. The spans get `session.id`, `user.id`, `metadata` (JSON text), `tag.tags` (a string array) and the
 * attributes, whoever starts them: an OpenInference instrumentor, another instrumentation, or your own tracer.
 *
 * When tracing is not running (never started, or shut down), `fn` is simply called. Nothing llmops does here throws:
 * a value that cannot be used (a cyclic metadata object that cannot be written, an attribute that is no attribute
 * value) is left out, with a warning once.
 *
 * @param values - the session, user, metadata, tags and attributes
 * @param fn - the work; called once, at once, with no arguments
 * @returns what `fn` returns
 *
 * @example
 * ```ts
 * import { withContext } from "@llmops/core";
 *
 * const answer = await withContext({ sessionId: "chat-42", userId: "ada", tags: ["beta"], metadata: { plan: "pro" } }, async () => {
 *   return client.chat.completions.create({ model: "gpt-4o-mini", messages }); // the LLM span carries all of them
 * });
 * ```
 */
export function withContext<T>(values: TracingContext, fn: () => T): T {
  if (typeof fn !== "function") {
    warnOnce("context-not-a-function", "withSession()/withContext()... was given no function to run; nothing was called.");
    return undefined as T;
  }
  const otel = tracingApi();
  if (otel === undefined) return fn();
  let next: Context | undefined;
  try {
    const active = otel.context.active();
    next = withValues(active, mergedValue(active.getValue(SPAN_CONTEXT_KEY) as SpanContextValue | undefined, values ?? {}));
  } catch (error) {
    warnOnce("context-failed", `llmops could not apply the session/user context (${messageOf(error)}); the call goes on without it.`);
  }
  return next === undefined ? fn() : otel.context.with(next, fn);
}

/**
 * Runs `fn` with `session.id` set on every span started inside it. See {@link withContext} for the rules.
 *
 * @param sessionId - the session (conversation, thread) id
 * @param fn - the work
 * @returns what `fn` returns, unchanged
 *
 * @example
 * ```ts
 * import { withSession } from "@llmops/core";
 *
 * app.post("/chat/:thread", (request, response) => withSession(request.params.thread, () => answer(request, response)));
 * ```
 */
export function withSession<T>(sessionId: string, fn: () => T): T {
  return withContext({ sessionId }, fn);
}

/**
 * Runs `fn` with `user.id` set on every span started inside it. See {@link withContext} for the rules.
 *
 * @param userId - the user id
 * @param fn - the work
 * @returns what `fn` returns, unchanged
 *
 * @example
 * ```ts
 * import { withUser } from "@llmops/core";
 *
 * const reply = await withUser(account.id, () => agent.run(question));
 * ```
 */
export function withUser<T>(userId: string, fn: () => T): T {
  return withContext({ userId }, fn);
}

/**
 * Runs `fn` with `metadata` (JSON text) set on every span started inside it, merged key by key over the metadata of
 * the calls around it (inner wins). See {@link withContext} for the rules.
 *
 * @param metadata - a plain object; values that JSON cannot write (functions) are left out, cycles become `"[Circular]"`
 * @param fn - the work
 * @returns what `fn` returns, unchanged
 *
 * @example
 * ```ts
 * import { withMetadata } from "@llmops/core";
 *
 * await withMetadata({ experiment: "prompt-v2", region: "eu" }, () => summarize(document));
 * ```
 */
export function withMetadata<T>(metadata: Readonly<Record<string, unknown>>, fn: () => T): T {
  return withContext({ metadata }, fn);
}

/**
 * Runs `fn` with `tag.tags` set on every span started inside it: these tags added to those of the calls around it,
 * each tag once. See {@link withContext} for the rules.
 *
 * @param tags - the tags
 * @param fn - the work
 * @returns what `fn` returns, unchanged
 *
 * @example
 * ```ts
 * import { withTags } from "@llmops/core";
 *
 * await withTags(["nightly", "eval"], () => runEvaluation());
 * ```
 */
export function withTags<T>(tags: readonly string[], fn: () => T): T {
  return withContext({ tags }, fn);
}

/**
 * Runs `fn` with span attributes of your own set on every span started inside it, merged key by key over those of
 * the calls around it (inner wins). An attribute a span already has when it starts is left as it is. See
 * {@link withContext} for the rules.
 *
 * @param attributes - attribute names and values (strings, numbers, booleans or arrays of one of those)
 * @param fn - the work
 * @returns what `fn` returns, unchanged
 *
 * @example
 * ```ts
 * import { withAttributes } from "@llmops/core";
 *
 * await withAttributes({ "app.tenant": "acme", "app.retries": 2 }, () => handle(request));
 * ```
 */
export function withAttributes<T>(attributes: Readonly<Record<string, AttributeValue>>, fn: () => T): T {
  return withContext({ attributes }, fn);
}

/** The new level: `values` merged over `outer`, with the span attributes they make. */
function mergedValue(outer: SpanContextValue | undefined, values: TracingContext): SpanContextValue {
  const sessionId = idOf(values.sessionId, "session") ?? outer?.sessionId;
  const userId = idOf(values.userId, "user") ?? outer?.userId;
  const ownMetadata = plainObject(values.metadata, "metadata");
  const metadata = ownMetadata === undefined ? outer?.metadata : { ...outer?.metadata, ...ownMetadata };
  const tags = mergedTags(outer?.tags, values.tags);
  const ownAttributes = attributesOf(values.attributes);
  const attributes = ownAttributes === undefined ? outer?.attributes : { ...outer?.attributes, ...ownAttributes };
  const metadataText = metadata === undefined ? undefined : jsonText(metadata);
  // The reserved names come last: an attribute of the app's own does not hide the session or the user.
  const spanAttributes: Attributes = { ...attributes };
  if (sessionId !== undefined) spanAttributes[SESSION_ID] = sessionId;
  if (userId !== undefined) spanAttributes[USER_ID] = userId;
  if (metadataText !== undefined) spanAttributes[METADATA] = metadataText;
  if (tags !== undefined && tags.length > 0) spanAttributes[TAG_TAGS] = [...tags];
  // Readonly by type rather than frozen: freezing costs more than the rest of the merge.
  return { sessionId, userId, metadata, tags, attributes, spanAttributes };
}

/** `context` with llmops's value and the OpenInference keys set, as openinference-core's setters would set them. */
function withValues(context: Context, value: SpanContextValue): Context {
  let next = context.setValue(SPAN_CONTEXT_KEY, value);
  if (value.sessionId !== undefined) next = next.setValue(OPENINFERENCE_KEYS.sessionId, value.sessionId);
  if (value.userId !== undefined) next = next.setValue(OPENINFERENCE_KEYS.userId, value.userId);
  const metadataText = value.spanAttributes[METADATA];
  if (typeof metadataText === "string") next = next.setValue(OPENINFERENCE_KEYS.metadata, metadataText);
  if (value.tags !== undefined && value.tags.length > 0) next = next.setValue(OPENINFERENCE_KEYS.tags, JSON.stringify(value.tags));
  if (value.attributes !== undefined) next = next.setValue(OPENINFERENCE_KEYS.attributes, JSON.stringify(value.attributes));
  return next;
}

/** A session or user id as text; undefined (inherit) for undefined or null; a number or boolean written as text. */
function idOf(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  warnOnce(`context-id-${what}`, `llmops: a ${what} id must be a string; a ${typeof value} was given and left out.`);
  return undefined;
}

function plainObject(value: unknown, what: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  warnOnce(`context-object-${what}`, `llmops: ${what} must be an object of keys and values; a ${Array.isArray(value) ? "list" : typeof value} was given and left out.`);
  return undefined;
}

/** The outer tags followed by the new ones not among them. A single string counts as one tag. */
function mergedTags(outer: readonly string[] | undefined, given: unknown): readonly string[] | undefined {
  if (given === undefined || given === null) return outer;
  const list: unknown[] = typeof given === "string" ? [given] : Array.isArray(given) ? given : [];
  if (list.length === 0) {
    if (typeof given !== "object") warnOnce("context-tags", `llmops: tags must be a list of strings; a ${typeof given} was given and left out.`);
    return outer;
  }
  const tags = [...(outer ?? [])];
  const seen = new Set(tags);
  for (const item of list) {
    const tag = typeof item === "string" ? item : typeof item === "number" || typeof item === "boolean" ? String(item) : undefined;
    if (tag === undefined || seen.has(tag)) continue;
    seen.add(tag);
    tags.push(tag);
  }
  return tags;
}

/** The attributes that are attribute values; an object or other value is written as JSON text, undefined and null left out. */
function attributesOf(given: unknown): Attributes | undefined {
  const source = plainObject(given, "attributes");
  if (source === undefined) return undefined;
  const attributes: Attributes = {};
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined || value === null || typeof value === "function" || typeof value === "symbol") continue;
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") attributes[key] = value;
    else if (typeof value === "bigint") attributes[key] = value.toString();
    else if (isHomogeneousArray(value)) attributes[key] = value;
    else {
      const text = jsonText(value);
      if (text !== undefined) attributes[key] = text;
    }
  }
  return attributes;
}

function isHomogeneousArray(value: unknown): value is AttributeValue {
  if (!Array.isArray(value)) return false;
  const kinds = new Set(value.filter((item) => item !== null && item !== undefined).map((item) => typeof item));
  return kinds.size <= 1 && [...kinds].every((kind) => kind === "string" || kind === "number" || kind === "boolean");
}

/** JSON text that survives cycles (`"[Circular]"`) and BigInt (as text); undefined, with a warning once, when nothing can be written. */
function jsonText(value: unknown): string | undefined {
  try {
    // The common case, at native speed; a cycle or a BigInt throws and takes the careful way below.
    return JSON.stringify(value);
  } catch {
    // Written again below, cycles cut and BigInt as text.
  }
  const ancestors: object[] = [];
  try {
    return JSON.stringify(value, function (this: unknown, _key: string, item: unknown) {
      if (typeof item === "bigint") return item.toString();
      if (typeof item !== "object" || item === null) return item;
      // `this` is the object holding `item`: leaving the ancestors that are not on its path keeps the chain exact.
      while (ancestors.length > 0 && ancestors[ancestors.length - 1] !== this) ancestors.pop();
      if (ancestors.includes(item)) return "[Circular]";
      ancestors.push(item);
      return item;
    });
  } catch (error) {
    warnOnce("context-json", `llmops could not write a metadata or attribute value as JSON (${messageOf(error)}); it was left out.`);
    return undefined;
  }
}
