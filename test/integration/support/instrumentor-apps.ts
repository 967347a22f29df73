import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lastJsonLine, runNode, startHttpReceiver } from "@llmops-internal/test-support";
import type { DecodedSpan } from "@llmops-internal/test-support";
import { acceptedSpans, describeRun, exampleEnv } from "./examples";
import type { ExampleRun } from "./examples";
import type { NodeBinary } from "./node-binaries";
import { repo } from "./pack";

/**
 * Running the apps of test/fixtures/instrumentor-apps (real client packages against local stand-ins, traced by the
 * built platforms) in child processes that export to a local OTLP receiver (for MLflow, behind a stand-in of the
 * tracking server's experiments API).
 */
export const appsDirectory = join(repo, "test", "fixtures", "instrumentor-apps");
const currentNode: NodeBinary = { path: process.execPath, version: process.version };

/**
 * The MLflow tracking server as far as the mlflow platform needs it: `experiments/get-by-name` answers one experiment,
 * every other request (the OTLP export to `/v1/traces`) is passed to `target`.
 */
async function startMlflowFront(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const path = request.url ?? "/";
      if (path.startsWith("/api/2.0/mlflow/experiments/get-by-name")) {
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify({ experiment: { experiment_id: "7", name: "llmops-registry", lifecycle_stage: "active" } }));
        return;
      }
      const headers: Record<string, string> = {};
      for (const name of ["content-type", "content-encoding"]) if (typeof request.headers[name] === "string") headers[name] = request.headers[name];
      fetch(`${target}${path}`, { method: request.method ?? "POST", headers, body: Buffer.concat(chunks) })
        .then(async (answer) => {
          response.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "application/x-protobuf" });
          response.end(Buffer.from(await answer.arrayBuffer()));
        })
        .catch(() => {
          response.writeHead(502);
          response.end();
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface RunAppOptions {
  readonly node?: NodeBinary;
  /** Node arguments before the app, e.g. `["--import", "@llmops/platform-arize/register"]`. */
  readonly nodeArgs?: readonly string[];
  /** Hand the config in a file named by LLMOPS_CONFIG_PATH (for the register entry points) instead of LLMOPS_APP_CONFIG. */
  readonly configFile?: boolean;
  /** More environment variables for the app. */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Runs an app of the fixture on `platform`, exporting to a fresh receiver, with `config` over the destination; returns
 * what it printed and every span the receiver accepted by the time it exited. Never rejects.
 */
export async function runApp(app: string, platform: "arize" | "mlflow", config: Record<string, unknown>, options: RunAppOptions = {}): Promise<ExampleRun> {
  const receiver = await startHttpReceiver();
  const front = platform === "mlflow" ? await startMlflowFront(receiver.url) : undefined;
  try {
    const destination = front === undefined ? { arize: { endpoint: receiver.url } } : { mlflow: { tracking_uri: front.url, experiment_name: "llmops-registry" } };
    const fullConfig = JSON.stringify({ service: { name: `registry-${app}` }, ...destination, ...config });
    const env: Record<string, string> = { ...options.env, LLMOPS_APP_PLATFORM: platform, LLMOPS_APP_CONFIG: fullConfig };
    if (options.configFile === true) {
      const file = join(mkdtempSync(join(tmpdir(), "llmops-registry-")), "llmops.json");
      writeFileSync(file, fullConfig);
      env.LLMOPS_CONFIG_PATH = file;
    }
    const { code, signal, stdout, stderr } = await runNode([...(options.nodeArgs ?? []), app], {
      node: (options.node ?? currentNode).path,
      cwd: appsDirectory,
      env: exampleEnv(env),
      timeoutMillis: 60_000,
    });
    const requests = [...receiver.requests];
    return { code, signal, stdout, stderr, summary: lastJsonLine<ExampleRun["summary"]>(stdout), requests, spans: acceptedSpans(requests), endpoint: receiver.url };
  } finally {
    await front?.close();
    await receiver.close();
  }
}

export interface AppSummary {
  reports: Array<{ key: string; status: string; patchedModule: boolean }>;
  [key: string]: unknown;
}

export function summaryOf(run: ExampleRun): AppSummary {
  if (run.code !== 0 || run.summary === undefined) throw new Error(describeRun(run));
  return run.summary as unknown as AppSummary;
}

export const kindOf = (span: DecodedSpan): unknown => span.attributes["openinference.span.kind"];
