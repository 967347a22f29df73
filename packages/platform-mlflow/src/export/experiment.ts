import { HttpRequestError, LlmopsError, redactSecrets, redactUrl } from "@llmops/core";
import { boundedRequest, DEFAULT_MAX_RESPONSE_BYTES } from "@llmops/core/otlp";
import type { BoundedResponse } from "@llmops/core/otlp";
import type { MlflowTarget } from "./target";

/** TLS settings of requests to the tracking server. */
export interface TlsOptions {
  /** CA certificate(s) to trust, from `certificate_file`. */
  readonly ca?: string;
  /** `insecure_tls`: do not verify the server's certificate. */
  readonly insecure?: boolean;
}

/** An answer of the tracking server's REST API. */
interface RestAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/**
 * A failed experiment resolution: names the URI, the request and the HTTP status (or the network error), and for
 * 401/403 which credential was sent, never its value.
 */
export class ExperimentResolutionError extends LlmopsError {
  /** The HTTP status, when the server answered. */
  readonly status: number | undefined;

  constructor(message: string, status: number | undefined, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ExperimentResolutionError";
    LlmopsError.markKind(this, EXPERIMENT_RESOLUTION_ERROR);
    this.status = status;
  }

  /** True for an `ExperimentResolutionError` from any copy of `@llmops/platform-mlflow`. */
  static override isInstance(error: unknown): error is ExperimentResolutionError {
    return LlmopsError.hasMarker(error, EXPERIMENT_RESOLUTION_ERROR);
  }
}

/** The kind under which {@link ExperimentResolutionError} is marked, named after its package so no other claims it. */
const EXPERIMENT_RESOLUTION_ERROR = "@llmops/platform-mlflow/ExperimentResolutionError";

/**
 * Finds the MLflow experiment spans go to, through the tracking server's REST API:
 * - by id: `GET /api/2.0/mlflow/experiments/get` (checks that it exists and is active);
 * - by name: `GET …/experiments/get-by-name`, and when absent `POST …/experiments/create`; when another process
 *   created it meanwhile (`RESOURCE_ALREADY_EXISTS`), reads it again.
 *
 * A successful answer is kept; concurrent callers share one attempt; a failed attempt is forgotten, so the next call
 * tries again (the exporter's headers factory calls it before every export until it succeeds).
 */
export class ExperimentResolver {
  private resolved: string | undefined;
  private pending: Promise<string> | undefined;
  /** When the running attempt must end (`Date.now()` value): one deadline for all of its requests. */
  private deadline: number | undefined;

  constructor(
    private readonly target: MlflowTarget,
    private readonly timeoutMs: number,
    private readonly tls: TlsOptions = {},
  ) {}

  /** The experiment id once resolved, else undefined. */
  get experimentId(): string | undefined {
    return this.resolved;
  }

  /** Resolves (or returns the resolved) experiment id; rejects with {@link ExperimentResolutionError}. */
  resolve(): Promise<string> {
    if (this.resolved !== undefined) return Promise.resolve(this.resolved);
    if (this.pending === undefined) this.deadline = Date.now() + this.timeoutMs;
    this.pending ??= this.attempt().then(
      (id) => {
        this.resolved = id;
        this.pending = undefined;
        return id;
      },
      (error: unknown) => {
        this.pending = undefined;
        throw error;
      },
    );
    return this.pending;
  }

  private async attempt(): Promise<string> {
    const experiment = this.target.experiment;
    if ("id" in experiment) {
      const answer = await this.call("GET", `/api/2.0/mlflow/experiments/get?${new URLSearchParams({ experiment_id: experiment.id })}`);
      if (answer.status === 404 || errorCode(answer) === "RESOURCE_DOES_NOT_EXIST") {
        throw new ExperimentResolutionError(
          `MLflow at ${this.where()} has no experiment with id ${experiment.id} (HTTP ${answer.status}); check mlflow.experiment_id (or MLFLOW_EXPERIMENT_ID).`,
          answer.status,
        );
      }
      this.expectOk(answer, "GET /api/2.0/mlflow/experiments/get");
      return this.activeId(answer, `id ${experiment.id}`);
    }
    const found = await this.byName(experiment.name);
    if (found !== undefined) return found;
    const created = await this.call("POST", "/api/2.0/mlflow/experiments/create", { name: experiment.name });
    if (created.status >= 200 && created.status < 300 && typeof created.body.experiment_id === "string") return created.body.experiment_id;
    if (errorCode(created) === "RESOURCE_ALREADY_EXISTS") {
      // Another process created it between our lookup and our create: read it again.
      const again = await this.byName(experiment.name);
      if (again !== undefined) return again;
    }
    this.expectOk(created, "POST /api/2.0/mlflow/experiments/create");
    throw new ExperimentResolutionError(`MLflow at ${this.where()} answered HTTP ${created.status} to POST /api/2.0/mlflow/experiments/create without an experiment_id.`, created.status);
  }

  private async byName(name: string): Promise<string | undefined> {
    const answer = await this.call("GET", `/api/2.0/mlflow/experiments/get-by-name?${new URLSearchParams({ experiment_name: name })}`);
    if (answer.status === 404 || errorCode(answer) === "RESOURCE_DOES_NOT_EXIST") return undefined;
    this.expectOk(answer, "GET /api/2.0/mlflow/experiments/get-by-name");
    return this.activeId(answer, `"${name}"`);
  }

  private activeId(answer: RestAnswer, which: string): string {
    const experiment = answer.body.experiment as { experiment_id?: unknown; lifecycle_stage?: unknown } | undefined;
    if (typeof experiment?.experiment_id !== "string") {
      throw new ExperimentResolutionError(`MLflow at ${this.where()} answered HTTP ${answer.status} without an experiment for ${which}.`, answer.status);
    }
    if (experiment.lifecycle_stage === "deleted") {
      throw new ExperimentResolutionError(
        `The MLflow experiment ${which} (id ${experiment.experiment_id}) at ${this.where()} is deleted: restore it in MLflow, or choose another experiment.`,
        answer.status,
      );
    }
    return experiment.experiment_id;
  }

  private expectOk(answer: RestAnswer, request: string): void {
    if (answer.status >= 200 && answer.status < 300) return;
    // The server's own words, quoted: scrubbed before the cut (a server may echo the request's credentials), then cut.
    const detail = typeof answer.body.message === "string" ? `: ${redactSecrets(answer.body.message, { maxLength: 200 }).replace(/\.+$/, "")}` : "";
    if (answer.status === 401 || answer.status === 403) {
      throw new ExperimentResolutionError(
        `MLflow at ${this.where()} refused ${request} with HTTP ${answer.status} (${answer.status === 401 ? "Unauthorized" : "Forbidden"}); ` +
          `the request carried ${this.target.credential}. Check that credential${this.target.credential === "no credentials" ? " (set mlflow.token, or mlflow.username and mlflow.password)" : ""}.`,
        answer.status,
      );
    }
    throw new ExperimentResolutionError(`MLflow at ${this.where()} answered HTTP ${answer.status} to ${request}${detail}.`, answer.status);
  }

  /** The error of a request that got no complete answer: the network, the deadline or the size cap, and what to check. */
  private unreachable(error: unknown, method: string, url: string): ExperimentResolutionError {
    const failure = HttpRequestError.isInstance(error) ? error.failure : "network";
    const message =
      failure === "deadline"
        ? `The MLflow tracking server at ${this.where()} did not resolve the experiment within mlflow.timeout_ms (${this.timeoutMs} ms): ` +
          `${method} ${new URL(url).pathname} got no complete answer in time, and llmops gave up. Check that the server is healthy, or raise mlflow.timeout_ms.`
        : failure === "too-large"
          ? `The MLflow tracking server at ${this.where()} sent an oversized answer to ${method} ${new URL(url).pathname} (over ${DEFAULT_MAX_RESPONSE_BYTES} bytes), ` +
            `and llmops stopped reading it. Is mlflow.tracking_uri an MLflow tracking server?`
          : `Cannot reach the MLflow tracking server at ${this.where()} to resolve the experiment (${method} ${new URL(url).pathname}: ${
              ((error as { cause?: Error }).cause ?? (error as Error)).message || "network error"
            }). Is it running, and is mlflow.tracking_uri right?`;
    return new ExperimentResolutionError(message, undefined, { cause: error });
  }

  private where(): string {
    return redactUrl(this.target.baseUrl).replace(/\/$/, "");
  }

  /**
   * One JSON request to the tracking server, with the target's headers and TLS settings, through core's bounded
   * request: the whole resolution (every request it makes) ends by one deadline, `mlflow.timeout_ms` after it started,
   * and no answer is read past core's size cap.
   */
  private async call(method: "GET" | "POST", path: string, body?: unknown): Promise<RestAnswer> {
    const url = `${this.target.baseUrl}${path}`;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const deadline = this.deadline ?? Date.now() + this.timeoutMs;
    let answer: BoundedResponse;
    try {
      answer = await boundedRequest(url, {
        method,
        headers: { accept: "application/json", ...(payload === undefined ? {} : { "content-type": "application/json" }), ...this.target.headers },
        ...(payload === undefined ? {} : { body: payload }),
        deadlineMillis: Math.max(0, deadline - Date.now()),
        deadlineSetting: "mlflow.timeout_ms",
        ...(this.tls.ca === undefined ? {} : { ca: this.tls.ca }),
        rejectUnauthorized: this.tls.insecure !== true,
      });
    } catch (error) {
      throw this.unreachable(error, method, url);
    }
    let parsed: Record<string, unknown> = {};
    try {
      const value: unknown = answer.body === "" ? {} : JSON.parse(answer.body);
      if (typeof value === "object" && value !== null) parsed = value as Record<string, unknown>;
    } catch {
      // not JSON (a proxy's error page): the status speaks
    }
    return { status: answer.status, body: parsed };
  }
}

function errorCode(answer: RestAnswer): string | undefined {
  return typeof answer.body.error_code === "string" ? answer.body.error_code : undefined;
}
