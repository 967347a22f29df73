import { createServer } from "node:http";
import type { Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { HttpRequestError } from "@llmops/core";
import { boundedRequest, DEFAULT_MAX_RESPONSE_BYTES } from "@llmops/core/otlp";

/**
 * The one way llmops sends its own HTTP requests: an overall deadline that a trickling server cannot stretch, and a
 * cap on the answer that an endless body cannot pass. Bounds are asserted generously: the call ends, memory stays low.
 */

type Behaviour = (response: ServerResponse, body: string) => void;

let server: Server;
let url: string;
let behave: Behaviour;
const intervals = new Set<NodeJS.Timeout>();

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => behave(response, body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  for (const interval of intervals) clearInterval(interval);
  intervals.clear();
  server.closeAllConnections();
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

/** The error a promise rejects with (fails the test when it resolves). */
function failure(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error as Error,
  );
}

const trickle: Behaviour = (response) => {
  response.writeHead(200, { "content-type": "application/json" });
  const interval = setInterval(() => response.write(" "), 500);
  intervals.add(interval);
  response.on("close", () => clearInterval(interval));
};

const endless: Behaviour = (response) => {
  response.writeHead(200);
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  const pump = (): void => {
    while (!response.destroyed && response.write(chunk));
  };
  response.on("drain", pump);
  pump();
};

describe("boundedRequest", () => {
  it("returns the status and body of a complete answer, with the method, headers and body sent", async () => {
    behave = (response, body) => {
      response.writeHead(201, { "x-echo": "yes" });
      response.end(JSON.stringify({ got: body }));
    };
    const answer = await boundedRequest(`${url}/api?x=1`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"a":1}', deadlineMillis: 5_000 });
    expect(answer.status).toBe(201);
    expect(answer.headers["x-echo"]).toBe("yes");
    expect(JSON.parse(answer.body)).toEqual({ got: '{"a":1}' });
  });

  it("ends by its deadline when the server trickles one byte every 500 ms (an idle timeout never fires)", async () => {
    behave = trickle;
    const started = Date.now();
    // Credentials in the URL and its query reach the server, never the message.
    const withSecrets = `${url.replace("http://", "http://user:pw@")}/lookup?token=abc`;
    const error = await failure(boundedRequest(withSecrets, { deadlineMillis: 1_200, deadlineSetting: "acme.timeout_ms" }));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(HttpRequestError.isInstance(error) && error.failure).toBe("deadline");
    expect(error.message).toBe(`GET ${url}/lookup: no complete answer within 1200 ms (acme.timeout_ms); llmops gave up.`);
  });

  it("stops reading an endless body at the cap: memory stays low and the error says the answer was too large", async () => {
    behave = endless;
    const before = process.memoryUsage().rss;
    const error = await failure(boundedRequest(`${url}/big`, { deadlineMillis: 60_000 }));
    const growth = process.memoryUsage().rss - before;
    expect(HttpRequestError.isInstance(error) && error.failure).toBe("too-large");
    expect(error.message).toBe(`GET ${url}/big: the answer is larger than ${DEFAULT_MAX_RESPONSE_BYTES} bytes; llmops stopped reading it.`);
    expect(growth).toBeLessThan(64 * 1024 * 1024);
  });

  it("honours a smaller cap, and accepts an answer exactly at it", async () => {
    behave = (response) => response.end("x".repeat(100));
    expect((await boundedRequest(url, { deadlineMillis: 5_000, maxResponseBytes: 100 })).body).toHaveLength(100);
    const error = await failure(boundedRequest(url, { deadlineMillis: 5_000, maxResponseBytes: 99 }));
    expect(HttpRequestError.isInstance(error) && error.failure).toBe("too-large");
  });

  it("reports a refused connection as a network failure, keeping the socket error as the cause", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", () => resolve()));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error = await failure(boundedRequest(`http://127.0.0.1:${port}/`, { deadlineMillis: 5_000 }));
    expect(HttpRequestError.isInstance(error) && error.failure).toBe("network");
    expect(error.message).toContain("ECONNREFUSED");
    expect((error.cause as NodeJS.ErrnoException).code).toBe("ECONNREFUSED");
  });
});
