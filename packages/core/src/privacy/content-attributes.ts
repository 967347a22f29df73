// Which span attributes carry content (what a user or a model wrote, what a tool or a document returned) and are
// therefore scanned. Ids, kinds, model names, token counts, URLs and the like are never scanned: a detector could only
// damage them (a session id is a high-entropy token, a trace id a long hexadecimal run).

/** Content attributes by exact name: OpenInference, OpenTelemetry's GenAI conventions, the Vercel AI SDK, llmops. */
const CONTENT_NAMES = new Set([
  "input.value",
  "output.value",
  "llm.prompt_template.template",
  "llm.prompt_template.variables",
  "llm.prompts",
  "reranker.query",
  "metadata",
  "gen_ai.prompt",
  "gen_ai.completion",
  "gen_ai.input.messages",
  "gen_ai.output.messages",
  "gen_ai.system_instructions",
  "gen_ai.tool.call.arguments",
  "gen_ai.tool.call.result",
  "ai.prompt",
  "ai.prompt.messages",
  "ai.response.text",
  "ai.response.object",
  "ai.response.toolCalls",
  "ai.result.text",
  "ai.result.object",
  "ai.result.toolCalls",
  "ai.toolCall.args",
  "ai.toolCall.result",
  "ai.value",
  "ai.values",
  "exception.message",
  "exception.stacktrace",
]);

/** Content attributes with an index or a nested path in their names. */
const CONTENT_PATTERNS: readonly RegExp[] = [
  // OpenInference messages: content, multi-part contents, tool call arguments.
  /^llm\.(?:input|output)_messages\.\d+\.message\.(?:content|contents\.\d+\.message_content\.text|tool_calls\.\d+\.tool_call\.function\.arguments)$/,
  /^message\.(?:content|contents\.\d+\.message_content\.text|tool_calls\.\d+\.tool_call\.function\.arguments)$/,
  /^llm\.prompts\.\d+(?:\.prompt\.text)?$/,
  /^(?:llm\.choices|llm\.completions)\.\d+\.(?:text|completion\.text)$/,
  /^tool(?:_call)?\.(?:function\.)?arguments$/,
  /^tool\.(?:parameters|output|result)$/,
  /^retrieval\.documents\.\d+\.document\.(?:content|metadata)$/,
  /^reranker\.(?:input|output)_documents\.\d+\.document\.(?:content|metadata)$/,
  /^embedding\.embeddings\.\d+\.embedding\.text$/,
  // OpenLLMetry and older GenAI conventions: gen_ai.prompt.0.content, gen_ai.completion.0.tool_calls.0.arguments.
  /^gen_ai\.(?:prompt|completion)\.\d+\.(?:content|tool_calls\.\d+\.arguments)$/,
  /^traceloop\.entity\.(?:input|output)$/,
];

/** Names already judged, so that the patterns run once per name; bounded so that odd names cannot grow it forever. */
const MAX_CACHED = 4096;

/**
 * Tells which attribute names carry content: the built-in list, plus extra names (exact, or prefixes ending in `*`).
 */
export function contentAttributeTest(extra: readonly string[] = []): (name: string) => boolean {
  const exact = new Set(extra.filter((name) => !name.endsWith("*")));
  const prefixes = extra.filter((name) => name.endsWith("*")).map((name) => name.slice(0, -1));
  const cache = new Map<string, boolean>();
  return (name) => {
    const known = cache.get(name);
    if (known !== undefined) return known;
    const result = CONTENT_NAMES.has(name) || exact.has(name) || prefixes.some((prefix) => name.startsWith(prefix)) || CONTENT_PATTERNS.some((pattern) => pattern.test(name));
    if (cache.size < MAX_CACHED) cache.set(name, result);
    return result;
  };
}

/** Event attributes that are never content, whatever the event. */
const NOT_EVENT_CONTENT = /(?:^|[._])(?:id|ids|type|kind|name|model|count|code|url|time|timestamp)$/i;

/** Whether an attribute of a span event carries content: every string one but ids, types, names, counts, URLs. */
export function isEventContentAttribute(name: string): boolean {
  return !NOT_EVENT_CONTENT.test(name);
}
