// The HTTP plumbing shared by the stand-ins: a loopback server on a free port, JSON bodies, JSON and SSE answers.
import { createServer } from "node:http";
import { createServer as createHttp2Server } from "node:http2";
import { URLSearchParams } from "node:url";

/** Requests larger than this are refused (413): the stand-ins are for tests, not uploads. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/**
 * @typedef {object} RecordedRequest
 * @property {string} method
 * @property {string} path  the path without the query string, e.g. `/v1/chat/completions`
 * @property {Record<string, string>} query  the query string's parameters, e.g. `{ alt: "sse" }`
 * @property {Record<string, string | string[] | undefined>} headers
 * @property {any} body  the parsed JSON body, or `undefined` when there was none or it was not JSON
 */

/**
 * @typedef {object} Exchange
 * @property {RecordedRequest} request
 * @property {import("node:http").ServerResponse} response
 */

/**
 * Starts a server on 127.0.0.1 and a free port that records each request and hands it to `route`.
 * A route that throws answers 500; `route` returning `false` answers 404.
 *
 * @param {(exchange: Exchange) => boolean | void | Promise<boolean | void>} route
 * @param {(response: import("node:http").ServerResponse, status: number, message: string) => void} sendError
 * @param {{ http2?: boolean }} [options]  `http2`: HTTP/2 without TLS (prior knowledge), as the AWS SDK's default
 *   handler speaks to an `http:` endpoint; the compatibility API gives the route the same request and response.
 * @returns {Promise<{ origin: string, requests: RecordedRequest[], close(): Promise<void> }>}
 */
export async function startServer(route, sendError, options = {}) {
  /** @type {RecordedRequest[]} */
  const requests = [];
  /** @type {(incoming: any, response: any) => void} */
  const handle = (incoming, response) => {
    readBody(incoming)
      .then(
        async (raw) => {
          const [path = "/", search = ""] = (incoming.url ?? "/").split("?");
          let body;
          if (raw.length > 0) {
            try {
              body = JSON.parse(raw.toString("utf8"));
            } catch {
              body = undefined;
            }
          }
          /** @type {RecordedRequest} */
          const request = { method: incoming.method ?? "GET", path, query: Object.fromEntries(new URLSearchParams(search)), headers: incoming.headers, body };
          requests.push(request);
          if (raw.length > 0 && body === undefined) return sendError(response, 400, "The request body is not valid JSON.");
          const handled = await route({ request, response });
          if (handled === false) sendError(response, 404, `Unknown request URL: ${request.method} ${path}.`);
        },
        (error) => sendError(response, error && error.tooLarge ? 413 : 400, error instanceof Error ? error.message : String(error)),
      )
      .catch((error) => {
        if (!response.headersSent) sendError(response, 500, `The stand-in failed: ${error instanceof Error ? error.message : String(error)}`);
        else response.destroy();
      });
  };
  /** @type {Set<import("node:http2").Http2Session>} */
  const sessions = new Set();
  const server = options.http2 === true ? createHttp2Server(handle) : createServer(handle);
  server.on("session", (session) => {
    sessions.add(session);
    session.once("close", () => sessions.delete(session));
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve(undefined);
    });
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the stand-in server has no TCP address");
  let closing;
  return {
    origin: `http://127.0.0.1:${address.port}`,
    requests,
    close() {
      closing ??= new Promise((resolve) => {
        server.close(() => resolve(undefined));
        // Clients keep connections alive; without this, close() would wait for them to time out.
        if ("closeAllConnections" in server) server.closeAllConnections();
        for (const session of sessions) session.destroy();
      });
      return closing;
    },
  };
}

/**
 * @param {import("node:http").IncomingMessage} incoming
 * @returns {Promise<Buffer>}
 */
function readBody(incoming) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    incoming.on("data", (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(Object.assign(new Error(`The request body is larger than ${MAX_BODY_BYTES} bytes.`), { tooLarge: true }));
        incoming.destroy();
        return;
      }
      chunks.push(chunk);
    });
    incoming.on("end", () => resolve(Buffer.concat(chunks)));
    incoming.on("error", reject);
  });
}

/**
 * @param {import("node:http").ServerResponse} response
 * @param {number} status
 * @param {unknown} body
 * @param {Record<string, string>} [headers]
 */
export function sendJson(response, status, body, headers = {}) {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text), ...headers });
  response.end(text);
}

/**
 * Writes a Server-Sent Events answer: each event as `event:` (when named) and `data:` lines, then a blank line.
 *
 * @param {import("node:http").ServerResponse} response
 * @param {Array<{ event?: string, data: string }>} events
 * @param {Record<string, string>} [headers]
 */
export function sendEvents(response, events, headers = {}) {
  response.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive", ...headers });
  for (const { event, data } of events) response.write(`${event === undefined ? "" : `event: ${event}\n`}data: ${data}\n\n`);
  response.end();
}

/**
 * A deterministic token count: words, numbers and single punctuation marks each count one.
 *
 * @param {string} text
 * @returns {number}
 */
export function countTokens(text) {
  return (text.match(/[\p{L}\p{N}_]+|[^\s\p{L}\p{N}_]/gu) ?? []).length;
}

/**
 * Splits text into stream pieces: each word with the spaces after it.
 *
 * @param {string} text
 * @returns {string[]}
 */
export function streamPieces(text) {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

/**
 * The first `limit` tokens of `text` (by {@link countTokens}), or all of it.
 *
 * @param {string} text
 * @param {number | undefined} limit
 * @returns {{ text: string, truncated: boolean }}
 */
export function truncateTokens(text, limit) {
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit <= 0 || countTokens(text) <= limit) return { text, truncated: false };
  let kept = "";
  for (const piece of streamPieces(text)) {
    if (countTokens(kept + piece) > limit) break;
    kept += piece;
  }
  return { text: kept.trimEnd(), truncated: true };
}

/**
 * A value for each property of a JSON schema, deterministic: enums give their first value, strings `"stand-in"`
 * (or a known word from the prompt for a property named like `city`/`location`/`query`), numbers 1, booleans true.
 *
 * @param {any} schema  a JSON schema of an object
 * @param {string} prompt  the last user text
 * @returns {Record<string, unknown>}
 */
export function sampleArguments(schema, prompt) {
  /** @type {Record<string, unknown>} */
  const result = {};
  const properties = schema && typeof schema === "object" && schema.properties && typeof schema.properties === "object" ? schema.properties : {};
  const required = Array.isArray(schema?.required) ? schema.required : Object.keys(properties);
  for (const name of Object.keys(properties)) {
    if (!required.includes(name)) continue;
    result[name] = sampleValue(properties[name], name, prompt);
  }
  return result;
}

/**
 * @param {any} schema
 * @param {string} name
 * @param {string} prompt
 * @returns {unknown}
 */
function sampleValue(schema, name, prompt) {
  if (schema && Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  const type = Array.isArray(schema?.type) ? schema.type[0] : schema?.type;
  switch (type) {
    case "number":
    case "integer":
      return 1;
    case "boolean":
      return true;
    case "array":
      return [];
    case "object":
      return sampleArguments(schema, prompt);
    default:
      return /city|location|place|query|topic|name/i.test(name) ? (lastCapitalizedWord(prompt) ?? "stand-in") : "stand-in";
  }
}

/**
 * @param {string} text
 * @returns {string | undefined}
 */
function lastCapitalizedWord(text) {
  const words = text.match(/\b\p{Lu}[\p{L}-]*/gu);
  return words === null ? undefined : words[words.length - 1];
}
