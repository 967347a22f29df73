import { join } from "node:path";
import { cleanEnvironment, runNode, startHttpReceiver } from "@llmops-internal/test-support";
import type { DecodedSpan, HttpOtlpReceiver, ReceivedRequest } from "@llmops-internal/test-support";
import type { NodeBinary } from "./node-binaries";
import { repo } from "./pack";

/** Running the apps of `examples/` as child processes against a local OTLP/HTTP receiver, and reading what they sent. */

export const examplesDirectory = join(repo, "examples");

/** The scope of the spans of the OpenInference OpenAI instrumentor. */
export const OPENAI_INSTRUMENTOR_SCOPE = "@arizeai/openinference-instrumentation-openai";

/** One run of an example. */
export interface ExampleRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** What the app's output says (see {@link readExampleOutput}); undefined when it did not get to its closing line. */
  readonly summary: ExampleSummary | undefined;
  /** The export requests the receiver had answered by the time the process had exited (not one more). */
  readonly requests: readonly ReceivedRequest[];
  /** Every span of those requests. */
  readonly spans: readonly DecodedSpan[];
  /** The receiver's URL (the app's PHOENIX_COLLECTOR_ENDPOINT). */
  readonly endpoint: string;
}

/** What the test reads from an example's own output: the lines it prints for its user. */
export interface ExampleSummary {
  /** The user message of each chat completion it made, one per call: its `<prompt> -> <answer>` lines. */
  readonly prompts: readonly string[];
  /** How many requests the OpenAI stand-in received: its `The OpenAI stand-in answered <n> requests.` line. */
  readonly requests: number;
  /** From `llmops: platform <name> (<source>), active <bool>, instrumented: <keys>`, where the example prints it. */
  readonly instrumented?: readonly string[];
  readonly source?: string;
  /** From `llmops shutdown: ok` (or `timed out`, or `failed (<why>)`), where the example prints it. */
  readonly shutdown?: { readonly ok: boolean; readonly timedOut: boolean };
  /** The status of each response of a handler: its `<prompt> -> <status> <body>` lines. */
  readonly responses?: ReadonlyArray<{ readonly statusCode: number }>;
  /** mixed-modules: `openai was loaded as two separate copies: yes`, `the second instrument() returned the first one's handle: yes`. */
  readonly twoCopies?: boolean;
  readonly sameHandle?: boolean;
  /** coexist-nodesdk: `The global TracerProvider is llmops's.` (or the app's own). */
  readonly llmopsProviderIsGlobal?: boolean;
  readonly [key: string]: unknown;
}

/** Reads an example's stdout as its user reads it; undefined unless it printed its closing stand-in line. */
export function readExampleOutput(stdout: string): ExampleSummary | undefined {
  const lines = stdout.split("\n");
  const requests = lines.map((line) => /^The OpenAI stand-in answered (\d+) requests\.$/.exec(line)?.[1]).find((count) => count !== undefined);
  if (requests === undefined) return undefined;
  const calls = lines.filter((line) => line.includes(" -> ")).map((line) => line.split(" -> "));
  const statuses = calls.map(([, answer]) => /^(\d{3}) /.exec(answer ?? "")?.[1]).filter((status) => status !== undefined);
  const llmops = lines.map((line) => /^llmops: platform \S+(?: \((\w+)\))?, active \w+, instrumented: (.*)$/.exec(line)).find((match) => match !== null);
  const shutdown = lines.map((line) => /^llmops shutdown: (.*)$/.exec(line)?.[1]).find((text) => text !== undefined);
  const yesNo = (prefix: string): boolean | undefined => {
    const answer = lines.find((line) => line.startsWith(prefix))?.slice(prefix.length);
    return answer === undefined ? undefined : answer === "yes";
  };
  const globalProvider = lines.map((line) => /^The global TracerProvider is (.*)\.$/.exec(line)?.[1]).find((owner) => owner !== undefined);
  const summary: Record<string, unknown> = { prompts: calls.map(([prompt]) => prompt ?? ""), requests: Number(requests) };
  if (llmops !== undefined && llmops !== null) {
    summary.instrumented = llmops[2] === "nothing" ? [] : (llmops[2] ?? "").split(", ");
    if (llmops[1] !== undefined) summary.source = llmops[1];
  }
  if (shutdown !== undefined) summary.shutdown = { ok: shutdown === "ok", timedOut: shutdown === "timed out" };
  if (statuses.length > 0) summary.responses = statuses.map((status) => ({ statusCode: Number(status) }));
  const twoCopies = yesNo("openai was loaded as two separate copies: ");
  if (twoCopies !== undefined) summary.twoCopies = twoCopies;
  const sameHandle = yesNo("the second instrument() returned the first one's handle: ");
  if (sameHandle !== undefined) summary.sameHandle = sameHandle;
  if (globalProvider !== undefined) summary.llmopsProviderIsGlobal = globalProvider === "llmops's";
  return summary as unknown as ExampleSummary;
}

export interface RunExampleOptions {
  readonly node: NodeBinary;
  /** The folder under `examples/`. */
  readonly example: string;
  /** Arguments after the Node binary, e.g. `["--import", "@llmops/platform-arize/register", "index.mjs"]`. */
  readonly args: readonly string[];
  /** Working directory; default the example's folder. */
  readonly cwd?: string;
  /** More environment variables. */
  readonly env?: Readonly<Record<string, string>>;
  /** Kills the child after this long. Default 60 s. */
  readonly timeoutMillis?: number;
}

/**
 * The environment of a fresh shell, with nothing of llmops, OpenTelemetry, Arize, Phoenix, MLflow or OpenAI from this
 * process: the example's own config decides.
 */
export function exampleEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  return cleanEnvironment(extra);
}

/**
 * Starts a receiver, runs the example with `PHOENIX_COLLECTOR_ENDPOINT` pointing at it, and returns what the
 * process printed and what the receiver had received when the process exited. Never rejects.
 */
export async function runExample(options: RunExampleOptions): Promise<ExampleRun> {
  const receiver = await startHttpReceiver();
  try {
    const env = exampleEnv({ PHOENIX_COLLECTOR_ENDPOINT: receiver.url, ...options.env });
    const cwd = options.cwd ?? join(examplesDirectory, options.example);
    const { code, signal, stdout, stderr } = await runNode(options.args, { node: options.node.path, cwd, env, timeoutMillis: options.timeoutMillis ?? 60_000 });
    const requests = [...receiver.requests];
    return { code, signal, stdout, stderr, summary: readExampleOutput(stdout), requests, spans: acceptedSpans(requests), endpoint: receiver.url };
  } finally {
    await receiver.close();
  }
}

/** A receiver for a test to hand to an app itself (e.g. its own NodeSDK's exporter). */
export function startReceiver(): Promise<HttpOtlpReceiver> {
  return startHttpReceiver();
}

export function acceptedSpans(requests: readonly ReceivedRequest[]): DecodedSpan[] {
  return requests.filter((request) => request.status === 200).flatMap((request) => request.spans);
}

/** The spans of kind LLM (`openinference.span.kind`). */
export function llmSpans(spans: readonly DecodedSpan[]): DecodedSpan[] {
  return spans.filter((span) => span.attributes["openinference.span.kind"] === "LLM");
}

/** The first input message's text of an LLM span: the prompt the call was made with. */
export function promptOf(span: DecodedSpan): string | undefined {
  const content = span.attributes["llm.input_messages.0.message.content"];
  return typeof content === "string" ? content : undefined;
}

/** How many LLM spans carry each prompt (and each other input seen, so an unexpected one shows in a diff). */
export function llmSpansPerPrompt(spans: readonly DecodedSpan[], prompts: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(prompts.map((prompt) => [prompt, 0]));
  for (const span of llmSpans(spans)) {
    const prompt = promptOf(span) ?? "(no input message)";
    counts[prompt] = (counts[prompt] ?? 0) + 1;
  }
  return counts;
}

/** The `service.name` of each export request. */
export function serviceNames(requests: readonly ReceivedRequest[]): string[] {
  return [...new Set(requests.map((request) => String(request.resourceAttributes["service.name"])))];
}

/** What a failed run looked like, for an assertion's message. */
export function describeRun(run: ExampleRun): string {
  const spans = run.spans.map((span) => `${span.name} [${String(span.attributes["openinference.span.kind"] ?? "-")}] ${promptOf(span) ?? ""}`);
  return `exit ${run.code} signal ${run.signal}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}\nspans received (${run.spans.length}):\n${spans.join("\n")}`;
}
