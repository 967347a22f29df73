/**
 * A small stand-in of an MLflow tracking server's experiments REST API (get, get-by-name, create) and its OTLP route
 * (`POST /v1/traces`, answered 200) on a loopback port, for unit tests of experiment resolution and for exports. It
 * records every request's method, path and headers, and can be told to answer a fixed status, to play the "another
 * process created it meanwhile" race, or to misbehave on the wire: trickle an answer one byte every 500 ms, or send a
 * body that never ends.
 */
import { createServer } from "node:http";
import type { IncomingHttpHeaders, Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface FakeMlflow {
  url: string;
  port: number;
  requests: RecordedRequest[];
  experiments: Map<string, { id: string; deleted: boolean }>;
  /** Every request answers this status (with an MLflow-style error body) while set. */
  forceStatus: number | undefined;
  /** When true, the next create finds the experiment created by "another process" and answers RESOURCE_ALREADY_EXISTS. */
  raceOnCreate: boolean;
  /**
   * While set, every request gets a 200 whose body `trickle`s one byte every 500 ms (never idle long enough for an
   * idle timeout) or is `endless` (64 KiB chunks as fast as the client reads them); neither ever ends.
   */
  misbehave: "trickle" | "endless" | undefined;
  close(): Promise<void>;
}

export async function startFakeMlflow(port = 0): Promise<FakeMlflow> {
  let nextId = 1;
  const fake: Omit<FakeMlflow, "url" | "port" | "close"> = { requests: [], experiments: new Map(), forceStatus: undefined, raceOnCreate: false, misbehave: undefined };
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://localhost");
      fake.requests.push({ method: request.method ?? "", path: url.pathname, headers: request.headers, body });
      const answer = (status: number, value: unknown): void => {
        response.writeHead(status, { "content-type": "application/json" });
        response.end(JSON.stringify(value));
      };
      if (fake.misbehave === "trickle") {
        response.writeHead(200, { "content-type": "application/json" });
        const timer = setInterval(() => response.write(" "), 500);
        timers.add(timer);
        response.on("close", () => {
          clearInterval(timer);
          timers.delete(timer);
        });
        return;
      }
      if (fake.misbehave === "endless") {
        response.writeHead(200, { "content-type": "application/json" });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        const pump = (): void => {
          while (!response.destroyed && response.write(chunk));
        };
        response.on("drain", pump);
        pump();
        return;
      }
      if (fake.forceStatus !== undefined) return answer(fake.forceStatus, { error_code: "FORCED", message: `forced ${fake.forceStatus}` });
      const show = (name: string, experiment: { id: string; deleted: boolean }): unknown => ({
        experiment: { experiment_id: experiment.id, name, lifecycle_stage: experiment.deleted ? "deleted" : "active" },
      });
      if (url.pathname === "/api/2.0/mlflow/experiments/get-by-name") {
        const name = url.searchParams.get("experiment_name") ?? "";
        const experiment = fake.experiments.get(name);
        return experiment === undefined ? answer(404, { error_code: "RESOURCE_DOES_NOT_EXIST", message: `Could not find experiment with name '${name}'` }) : answer(200, show(name, experiment));
      }
      if (url.pathname === "/api/2.0/mlflow/experiments/get") {
        const id = url.searchParams.get("experiment_id");
        const entry = [...fake.experiments.entries()].find(([, experiment]) => experiment.id === id);
        return entry === undefined ? answer(404, { error_code: "RESOURCE_DOES_NOT_EXIST", message: `No Experiment with id=${id} exists` }) : answer(200, show(entry[0], entry[1]));
      }
      if (url.pathname === "/api/2.0/mlflow/experiments/create" && request.method === "POST") {
        const { name } = JSON.parse(body) as { name: string };
        if (fake.raceOnCreate) {
          fake.raceOnCreate = false;
          fake.experiments.set(name, { id: String(nextId++), deleted: false });
        }
        if (fake.experiments.has(name)) return answer(400, { error_code: "RESOURCE_ALREADY_EXISTS", message: `Experiment '${name}' already exists.` });
        const id = String(nextId++);
        fake.experiments.set(name, { id, deleted: false });
        return answer(200, { experiment_id: id });
      }
      if (url.pathname === "/v1/traces" && request.method === "POST") {
        // MLflow's OTLP route: an empty ExportTraceServiceResponse.
        response.writeHead(200, { "content-type": "application/x-protobuf" });
        return response.end();
      }
      return answer(404, { error_code: "ENDPOINT_NOT_FOUND" });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return Object.assign(fake, {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearInterval(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
