import { HttpRequestError } from "../errors/llmops-error";
import { redactUrl } from "../helpers/url-safety";

/**
 * The response-size cap of {@link boundedRequest} when none is given (1 MiB): far above any REST answer llmops reads.
 *
 * @example
 * ```ts
 * await boundedRequest(url, { deadlineMillis: 5_000, maxResponseBytes: DEFAULT_MAX_RESPONSE_BYTES / 4 });
 * ```
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

/**
 * Options of {@link boundedRequest}.
 *
 * @example
 * ```ts
 * const options: BoundedRequestOptions = { method: "POST", body: JSON.stringify({ name: "e" }), deadlineMillis: 10_000, deadlineSetting: "acme.timeout_ms" };
 * ```
 */
export interface BoundedRequestOptions {
  /** `GET` (default), `POST`, … */
  readonly method?: string;
  /** Request headers (may hold credentials: they are sent, never put in a message). */
  readonly headers?: Readonly<Record<string, string>>;
  /** The request body; `content-length` is set from it. */
  readonly body?: string;
  /**
   * The overall deadline, in milliseconds, from the call to the last byte of the answer: connecting, sending, waiting
   * and reading together. When it passes, the socket is destroyed and the call rejects, however slowly bytes still
   * arrive.
   */
  readonly deadlineMillis: number;
  /** The most bytes of answer read; a larger answer destroys the socket and rejects. Default {@link DEFAULT_MAX_RESPONSE_BYTES}. */
  readonly maxResponseBytes?: number;
  /** For `https:`: the CA certificate(s) to trust (PEM), e.g. from `readCertificateFile`. */
  readonly ca?: string;
  /** For `https:`: false skips the server certificate check (testing only). Default true. */
  readonly rejectUnauthorized?: boolean;
  /** Names the limit's setting in messages, e.g. `mlflow.timeout_ms`. */
  readonly deadlineSetting?: string;
}

/**
 * The answer of {@link boundedRequest}: any HTTP status (the caller decides what an error is) and the whole body.
 *
 * @example
 * ```ts
 * const answer: BoundedResponse = await boundedRequest(url, { deadlineMillis: 5_000 });
 * if (answer.status >= 400) throw new LlmopsError(`HTTP ${answer.status}`);
 * ```
 */
export interface BoundedResponse {
  readonly status: number;
  /** The answer's headers, names in lower case (Node's `IncomingHttpHeaders`, spelled out to keep `@types/node` out of the public types). */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The body as UTF-8 text, at most `maxResponseBytes` long. */
  readonly body: string;
}

/**
 * One HTTP(S) request that ends by a deadline and reads a bounded answer: the way every request llmops makes itself
 * (a platform's REST lookups) is sent. Node's own `timeout` option is an idle timeout, which a server sending one byte
 * now and then never trips, and reading a body to its end holds whatever the server sends; here the deadline covers the
 * whole exchange and the body stops at the cap, so neither a slow nor an endless answer can hold the app or its memory.
 *
 * Resolves with the status and body for every answer the server completes within the limits; rejects with an
 * {@link HttpRequestError} (`failure`: `deadline`, `too-large` or `network`) naming the request without credentials.
 *
 * @param url - the full URL (`http:` or `https:`)
 * @param options - method, headers, body, the deadline, the size cap and TLS settings
 *
 * @example
 * ```ts
 * const answer = await boundedRequest("https://mlflow.example.com/api/2.0/mlflow/experiments/get?experiment_id=1", {
 *   headers: { authorization: `Bearer ${token}` },
 *   deadlineMillis: 10_000,
 *   deadlineSetting: "mlflow.timeout_ms",
 * });
 * if (answer.status === 200) console.log(JSON.parse(answer.body));
 * ```
 */
export async function boundedRequest(url: string, options: BoundedRequestOptions): Promise<BoundedResponse> {
  const started = Date.now();
  const target = new URL(url);
  const method = options.method ?? "GET";
  const limit = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const what = `${method} ${redactUrl(`${target.origin}${target.pathname}`)}`;
  const secure = target.protocol === "https:";
  const { request } = secure ? await import("node:https") : await import("node:http");
  const remaining = options.deadlineMillis - (Date.now() - started);
  if (remaining <= 0) throw deadlineError(what, options);
  return new Promise<BoundedResponse>((resolve, reject) => {
    let settled = false;
    const finish = (outcome: { answer: BoundedResponse } | { error: HttpRequestError }): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if ("answer" in outcome) resolve(outcome.answer);
      else reject(outcome.error);
    };
    const headers: Record<string, string | number> = { ...options.headers };
    if (options.body !== undefined) headers["content-length"] = Buffer.byteLength(options.body);
    const outgoing = request(
      target,
      {
        method,
        headers,
        // A connection of its own, closed with the answer: nothing is shared with the app's global agent, no kept-alive
        // socket outlives the request (or holds the process), and a socket the server closed meanwhile is never reused.
        agent: false,
        ...(secure ? { ...(options.ca === undefined ? {} : { ca: options.ca }), rejectUnauthorized: options.rejectUnauthorized !== false } : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > limit) {
            finish({ error: new HttpRequestError(`${what}: the answer is larger than ${limit} bytes; llmops stopped reading it.`, "too-large") });
            outgoing.destroy();
            return;
          }
          chunks.push(chunk);
        });
        response.on("error", (error) => finish({ error: networkError(what, error) }));
        response.on("end", () => finish({ answer: { status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString("utf8") } }));
      },
    );
    // A timer rather than the socket's idle timeout: the deadline holds even while bytes keep trickling in. Unref'd,
    // so a request whose socket is gone never keeps the process alive through it.
    const timer = setTimeout(() => {
      finish({ error: deadlineError(what, options) });
      outgoing.destroy();
    }, remaining);
    timer.unref();
    outgoing.on("error", (error) => finish({ error: networkError(what, error) }));
    outgoing.end(options.body);
  });
}

function deadlineError(what: string, options: BoundedRequestOptions): HttpRequestError {
  const setting = options.deadlineSetting === undefined ? "" : ` (${options.deadlineSetting})`;
  return new HttpRequestError(`${what}: no complete answer within ${options.deadlineMillis} ms${setting}; llmops gave up.`, "deadline");
}

function networkError(what: string, error: Error): HttpRequestError {
  const code = (error as NodeJS.ErrnoException).code;
  return new HttpRequestError(`${what}: ${error.message || code || "network error"}`, "network", { cause: error });
}
