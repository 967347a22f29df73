/**
 * A real Arize Phoenix (`phoenix serve`, arize-phoenix pinned in python-env.ts) on free loopback ports, with its
 * SQLite database in a private temporary working folder, and a reader for the spans it stored.
 *
 * What the pinned Phoenix (20.26.1) offers, read from its source:
 * - Settings come from the environment: PHOENIX_PORT (HTTP: UI, REST, OTLP/HTTP at /v1/traces),
 *   PHOENIX_GRPC_PORT (OTLP/gRPC; note Phoenix binds it on `[::]`, all interfaces, whatever PHOENIX_HOST says),
 *   PHOENIX_HOST (the HTTP bind address), PHOENIX_WORKING_DIR (holds phoenix.db when no SQL URL is set).
 * - Auth is off unless PHOENIX_ENABLE_AUTH=true. Telemetry (FullStory/Scarf pixels in the UI) is off with
 *   PHOENIX_TELEMETRY_ENABLED=false; PHOENIX_ALLOW_EXTERNAL_RESOURCES=false also stops every request Phoenix would
 *   make to the internet on its own (web fonts, telemetry, sandbox download) — there is no internet here anyway.
 * - Liveness: GET /healthz answers "OK"; readiness: GET /readyz answers {} once the database answers a query.
 * - Project routing on OTLP ingest: the `x-project-name` header, else the `openinference.project.name` resource
 *   attribute, else the project "default". A project exists once its first span is stored.
 * - GET /v1/projects/{project_identifier}/spans (identifier: project name or its GlobalID) lists spans with cursor
 *   pagination: `?limit=` (1..1000, default 100) `&cursor=` (the previous page's next_cursor) `&sort=id|start_time`
 *   `&order=asc|desc`, filters trace_id, span_id, parent_id ("null" for roots), name, span_kind, status_code,
 *   attribute. Answer: { data: Span[], next_cursor: string | null }; 404 while the project does not exist.
 *   A Span: { id (GlobalID), name, context: { trace_id, span_id } (hex), span_kind (the `openinference.span.kind`
 *   attribute, moved out of `attributes`; "UNKNOWN" when absent), parent_id (hex or null), start_time, end_time
 *   (ISO 8601 with zone), status_code ("OK" | "ERROR" | "UNSET"), status_message, attributes (flattened to dotted
 *   keys: "input.value", "llm.model_name", "llm.token_count.prompt", "llm.input_messages.0.message.role", ...),
 *   events: [{ name, timestamp, attributes }] }.
 *   (`/spans/otlpv1` next to it answers the same spans in OTLP JSON form; not used here.)
 */
import { join } from "node:path";
import { ensureVenv } from "./python-env";
import { LOOPBACK, cleanServerEnvironment, fetchJson, removeDirectory, retryOnPortClash, sleep, startServerProcess, temporaryDirectory, waitUntilReady } from "./server-process";
import { freePorts } from "@llmops-internal/test-support";

export interface PhoenixServer {
  /** `http://127.0.0.1:<port>`: UI, REST API and OTLP/HTTP. */
  url: string;
  /** `<url>/v1/traces`: OTLP/HTTP (protobuf or JSON). */
  otlpHttpEndpoint: string;
  /** OTLP/gRPC port (`grpc://127.0.0.1:<grpcPort>`). */
  grpcPort?: number;
  /** Milliseconds from spawning `phoenix serve` to its first successful /readyz. */
  startupMs: number;
  /** Stops the server (process group: SIGTERM, then SIGKILL) and removes its working folder. Idempotent. */
  stop(): Promise<void>;
  /** Everything the server printed so far (the most recent 512 kB). */
  logs(): string;
}

export async function startPhoenix(): Promise<PhoenixServer> {
  const venv = await ensureVenv("phoenix");
  return retryOnPortClash(async () => {
    const [port, grpcPort] = (await freePorts(2)) as [number, number];
    const workingDirectory = temporaryDirectory("phoenix");
    const env = cleanServerEnvironment({
      PHOENIX_WORKING_DIR: workingDirectory,
      PHOENIX_HOST: LOOPBACK,
      PHOENIX_PORT: String(port),
      PHOENIX_GRPC_PORT: String(grpcPort),
      PHOENIX_ENABLE_AUTH: "false",
      PHOENIX_TELEMETRY_ENABLED: "false",
      PHOENIX_ALLOW_EXTERNAL_RESOURCES: "false",
      // The migrations log every SQL statement (~100 kB) otherwise.
      PHOENIX_LOG_MIGRATIONS: "false",
    });
    const server = startServerProcess(join(venv.bin, "phoenix"), ["serve"], { cwd: workingDirectory, env });
    const url = `http://${LOOPBACK}:${port}`;
    let stopped: Promise<void> | undefined;
    const stop = (): Promise<void> => {
      stopped ??= server.stop().then(() => removeDirectory(workingDirectory));
      return stopped;
    };
    try {
      const startupMs = await waitUntilReady(server, `${url}/readyz`, `Phoenix (phoenix serve on ${url}, gRPC ${grpcPort})`);
      return { url, otlpHttpEndpoint: `${url}/v1/traces`, grpcPort, startupMs, stop, logs: server.logs };
    } catch (error) {
      await stop();
      throw error;
    }
  });
}

/** A span as GET /v1/projects/{project}/spans answers it (Phoenix 20.26.1). */
export interface PhoenixSpan {
  /** Phoenix's GlobalID of the span row (not the OTel span id). */
  id: string;
  name: string;
  context: { trace_id: string; span_id: string };
  /** OpenInference kind (LLM, CHAIN, TOOL, RETRIEVER, EMBEDDING, AGENT, RERANKER, GUARDRAIL, EVALUATOR, ...) or UNKNOWN. */
  span_kind: string;
  parent_id: string | null;
  start_time: string;
  end_time: string;
  status_code: "OK" | "ERROR" | "UNSET" | string;
  status_message: string;
  /** Flattened, dotted keys. `openinference.span.kind` is not here: it is `span_kind`. */
  attributes: PhoenixSpanAttributes;
  events: Array<{ name: string; timestamp: string; attributes: Record<string, unknown> }>;
}

export interface PhoenixSpanAttributes extends Record<string, unknown> {
  "input.value"?: string;
  "input.mime_type"?: string;
  "output.value"?: string;
  "output.mime_type"?: string;
  "llm.model_name"?: string;
  "llm.provider"?: string;
  "llm.system"?: string;
  "llm.token_count.prompt"?: number;
  "llm.token_count.completion"?: number;
  "llm.token_count.total"?: number;
}

interface SpansPage {
  data: PhoenixSpan[];
  next_cursor: string | null;
}

export interface ReadSpansOptions {
  /** Wait until at least this many spans are stored (default 1). */
  minCount?: number;
  /** Give up after this long (default 30 s): Phoenix inserts spans in batches, a second or so after ingest. */
  timeoutMs?: number;
  /** Extra filters passed through as query parameters (e.g. { trace_id: "…", name: ["a", "b"] }). */
  filters?: Record<string, string | string[]>;
}

/** Every span of `project` matching `filters`, all pages, oldest first; undefined when the project does not exist (404). */
export async function listPhoenixSpans(url: string, project: string, filters: Record<string, string | string[]> = {}): Promise<PhoenixSpan[] | undefined> {
  const spans: PhoenixSpan[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ limit: "1000", sort: "start_time", order: "asc" });
    for (const [key, value] of Object.entries(filters)) for (const item of Array.isArray(value) ? value : [value]) query.append(key, item);
    if (cursor !== null) query.set("cursor", cursor);
    let page: SpansPage;
    try {
      page = (await fetchJson<SpansPage>(`${url}/v1/projects/${encodeURIComponent(project)}/spans?${query}`)).body;
    } catch (error) {
      if ((error as { status?: number }).status === 404) return undefined;
      throw error;
    }
    spans.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor !== null);
  return spans;
}

/**
 * Polls Phoenix's REST API until `project` holds at least `minCount` spans (matching `filters`), and returns them
 * all, oldest first. Throws, with what it last saw, when they do not arrive in time.
 */
export async function readPhoenixSpans(url: string, project: string, options: ReadSpansOptions = {}): Promise<PhoenixSpan[]> {
  const minCount = options.minCount ?? 1;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const spans = await listPhoenixSpans(url, project, options.filters);
    if (spans !== undefined && spans.length >= minCount) return spans;
    if (Date.now() > deadline) {
      const seen = spans === undefined ? `project "${project}" does not exist (404)` : `${spans.length} span(s): ${spans.map((span) => span.name).join(", ") || "none"}`;
      throw new Error(`e2e: Phoenix at ${url} has ${seen}; waited ${options.timeoutMs ?? 30_000} ms for at least ${minCount}`);
    }
    await sleep(250);
  }
}
