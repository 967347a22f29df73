import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { IncomingMessage, Server } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";

/** Modules an import of a platform package must not load: the SDK, exporters and transports load inside `instrument()`. */
const HEAVY_MODULE = /[\\/]node_modules[\\/](@opentelemetry[\\/](sdk-|exporter-|otlp-|resources)|@grpc[\\/]|protobufjs[\\/])/;

/** How long one child run may take: an install-free app, one export, a flush and a shutdown. */
const CHILD_TIMEOUT_MILLIS = 60_000;

/** One export request the kit's receiver saw. */
interface Received {
  readonly path: string;
  readonly body: Buffer;
}

/** A loopback OTLP/HTTP receiver that keeps the raw bodies (gunzipped) and answers with the given status. */
async function startReceiver(status: number): Promise<{ url: string; requests: Received[]; close(): Promise<void> }> {
  const requests: Received[] = [];
  const server: Server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      let body = Buffer.concat(chunks);
      if (request.headers["content-encoding"] === "gzip") {
        try {
          body = gunzipSync(body);
        } catch {
          // kept as sent: the span name is then not found, which the check reports
        }
      }
      requests.push({ path: request.url ?? "", body });
      response.statusCode = status;
      response.setHeader("content-type", request.headers["content-type"] ?? "application/x-protobuf");
      response.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A port nothing listens on: one the system gave out and that was closed again. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The script each child runs: discovery from an app that depends on the package, a light import, then `instrument()`. */
const CHILD_SCRIPT = `"use strict";
const { createRequire } = require("node:module");
const { join } = require("node:path");
const input = JSON.parse(process.env.LLMOPS_CONFORMANCE);
const result = { heavy: [], threw: undefined };
const unhandled = [];
process.on("unhandledRejection", (reason) => unhandled.push(String(reason && reason.message || reason)));
process.on("uncaughtException", (error) => unhandled.push(String(error && error.message || error)));
(async () => {
  const appRequire = createRequire(join(input.appRoot, "package.json"));
  const packageRequire = createRequire(join(input.packageDirectory, "package.json"));
  const core = packageRequire("@llmops/core");
  const before = new Set(Object.keys(require.cache));
  let exported;
  try {
    exported = appRequire(input.packageName);
  } catch (error) {
    result.threw = "importing the package threw: " + (error && error.message);
  }
  result.heavy = Object.keys(require.cache).filter((file) => !before.has(file) && new RegExp(input.heavy).test(file));
  result.exportedPlatform = exported !== undefined && exported.platform !== undefined && typeof exported.platform.createTracerProvider === "function";
  result.discovered = core.listPlatforms({ appRoot: input.appRoot }).map((info) => ({ name: info.name, packageName: info.packageName, source: info.source }));
  if (input.section !== undefined && result.threw === undefined && result.exportedPlatform) {
    try {
      // The object the package exports, whatever its field says (the field is checked on its own above).
      core.registerPlatform(exported.platform);
      const handle = await core.getPlatform(exported.platform.name, { appRoot: input.appRoot }).instrument({
        config: { service: { name: "llmops-conformance" }, [input.configSection]: input.section },
        appRoot: input.appRoot,
        validationMode: input.mode,
        flushOnExit: false,
      });
      result.active = handle.active;
      handle.tracerProvider.getTracer("llmops-conformance").startSpan(input.spanName).end();
      const started = Date.now();
      result.flush = await handle.forceFlush({ timeoutMillis: 10000 });
      result.shutdown = await handle.shutdown({ timeoutMillis: 10000 });
      result.settleMillis = Date.now() - started;
      result.stats = handle.stats();
    } catch (error) {
      result.threw = "instrument() threw: " + (error && error.message);
    }
  }
  result.unhandled = unhandled;
  process.stdout.write("LLMOPS-CONFORMANCE " + JSON.stringify(result) + "\\n");
})();
`;

interface ChildResult {
  heavy: string[];
  threw?: string;
  exportedPlatform: boolean;
  discovered: { name: string; packageName: string; source: string }[];
  active?: boolean;
  flush?: { ok: boolean };
  shutdown?: { ok: boolean };
  settleMillis?: number;
  stats?: { spansExported: number; spansFailedExport: number };
  unhandled: string[];
}

function runChild(input: Record<string, unknown>, script: string): Promise<{ result: ChildResult | undefined; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script], {
      env: { ...process.env, LLMOPS_CONFORMANCE: JSON.stringify(input), LLMOPS_LOG_LEVEL: "all", NODE_OPTIONS: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), CHILD_TIMEOUT_MILLIS);
    child.on("close", () => {
      clearTimeout(timer);
      const line = output.split("\n").find((text) => text.startsWith("LLMOPS-CONFORMANCE "));
      resolve({ result: line === undefined ? undefined : (JSON.parse(line.slice("LLMOPS-CONFORMANCE ".length)) as ChildResult), output });
    });
  });
}

/** What {@link checkPackage} needs: the platform's names, the package folder, and how to point a section at an endpoint. */
export interface PackageCheckParams {
  readonly platformName: string;
  readonly configSection: string;
  readonly packageDirectory: string;
  readonly sectionFor?: (endpoint: string) => unknown;
  /** Strings that must never appear in anything the checks make the package print. */
  readonly secrets: readonly string[];
}

/**
 * The checks that need the package as an app installs it, each in a fresh Node process: the `llmops.platform` field
 * names this platform and its entry; an app that depends on the package discovers it; importing the package loads
 * nothing heavy; `instrument()` exports a span to a receiver the kit runs; permissive mode with a dead endpoint never
 * throws and its flush and shutdown settle; a refusing receiver's error is reported; no secret is ever printed.
 */
export async function checkPackage(params: PackageCheckParams, problems: string[]): Promise<void> {
  let manifest: { name?: string; llmops?: { platform?: { name?: string; configSection?: string; entry?: string } } };
  try {
    manifest = JSON.parse(readFileSync(join(params.packageDirectory, "package.json"), "utf8")) as typeof manifest;
  } catch (error) {
    problems.push(`cannot read package.json in ${params.packageDirectory}: ${(error as Error).message}`);
    return;
  }
  const field = manifest.llmops?.platform;
  if (field === undefined) {
    problems.push('package.json has no "llmops": { "platform": { ... } } field: core will not discover the package');
    return;
  }
  if (field.name !== params.platformName) problems.push(`package.json llmops.platform.name is "${String(field.name)}", the platform's name is "${params.platformName}"`);
  if (field.configSection !== params.configSection) problems.push(`package.json llmops.platform.configSection is "${String(field.configSection)}", the platform's is "${params.configSection}"`);
  if (typeof manifest.name !== "string") {
    problems.push("package.json has no name");
    return;
  }

  const temp = mkdtempSync(join(tmpdir(), "llmops-conformance-"));
  try {
    // An app that depends on the package, as an install would leave it (a link in node_modules).
    const appRoot = join(temp, "app");
    const linked = join(appRoot, "node_modules", ...manifest.name.split("/"));
    mkdirSync(dirname(linked), { recursive: true });
    symlinkSync(params.packageDirectory, linked, "dir");
    writeFileSync(join(appRoot, "package.json"), JSON.stringify({ name: "llmops-conformance-app", private: true, dependencies: { [manifest.name]: "*" } }));
    const script = join(temp, "child.cjs");
    writeFileSync(script, CHILD_SCRIPT);
    const base = { appRoot, packageDirectory: params.packageDirectory, packageName: manifest.name, platformName: params.platformName, configSection: params.configSection, heavy: HEAVY_MODULE.source };
    const outputs: string[] = [];
    const run = async (extra: Record<string, unknown>): Promise<ChildResult | undefined> => {
      const { result, output } = await runChild({ ...base, ...extra }, script);
      outputs.push(output);
      if (result === undefined) problems.push(`the check's app printed no result:\n${output.slice(-1500)}`);
      else if (result.unhandled.length > 0) problems.push(`unhandled errors reached the app: ${result.unhandled.join("; ")}`);
      return result;
    };

    const light = await run({});
    if (light !== undefined) {
      if (light.threw !== undefined) problems.push(light.threw);
      if (!light.exportedPlatform) problems.push(`the package's entry does not export \`platform\` (the Platform object)`);
      if (!light.discovered.some((info) => info.name === params.platformName && info.packageName === manifest.name)) {
        problems.push(`an app that depends on ${manifest.name} does not discover platform "${params.platformName}" (found: ${light.discovered.map((info) => info.name).join(", ") || "none"})`);
      }
      if (light.heavy.length > 0) problems.push(`importing the package loads what should load inside instrument(): ${light.heavy.slice(0, 5).join(", ")}`);
    }

    if (params.sectionFor !== undefined) {
      const receiver = await startReceiver(200);
      try {
        const spanName = `llmops-conformance-${process.pid}-${Date.now().toString(36)}`;
        const sent = await run({ section: params.sectionFor(receiver.url), mode: "strict", spanName });
        if (sent?.threw !== undefined) problems.push(sent.threw);
        else if (sent !== undefined && !receiver.requests.some((request) => request.body.includes(spanName))) {
          problems.push(
            `instrument() with sectionFor("${receiver.url}") did not export the span to the kit's receiver (requests: ${receiver.requests.map((request) => request.path).join(", ") || "none"})`,
          );
        }
      } finally {
        await receiver.close();
      }
      const dead = await run({ section: params.sectionFor(`http://127.0.0.1:${await deadPort()}`), mode: "permissive", spanName: "llmops-conformance-dead" });
      if (dead?.threw !== undefined) problems.push(`permissive mode with nothing listening: ${dead.threw}`);
      else if (dead !== undefined && (dead.settleMillis ?? Infinity) > 25_000) problems.push(`flush and shutdown with nothing listening took ${dead.settleMillis} ms`);
      const refusing = await startReceiver(401);
      try {
        const refused = await run({ section: params.sectionFor(refusing.url), mode: "permissive", spanName: "llmops-conformance-refused" });
        if (refused?.threw !== undefined) problems.push(`permissive mode with a refusing receiver: ${refused.threw}`);
        else if (refused?.stats !== undefined && refused.stats.spansFailedExport === 0 && refusing.requests.length > 0)
          problems.push("a receiver answering 401 was not counted as a failed export in stats()");
      } finally {
        await refusing.close();
      }
    }

    const printed = outputs.join("\n");
    for (const secret of params.secrets) {
      if (secret.length >= 4 && printed.includes(secret)) problems.push(`a secret of the section (${secret.slice(0, 2)}…) appears in what the package printed`);
    }
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}
