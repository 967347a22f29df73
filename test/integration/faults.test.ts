import type { ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { cleanEnvironment, generateTestCertificates, markedJsonLine, runNode, startHttpReceiver, unusedPort } from "@llmops-internal/test-support";
import type { HttpOtlpReceiver } from "@llmops-internal/test-support";
import { startFaultServer, startTlsServer } from "./support/fault-server";
import type { Fault, FaultServer } from "./support/fault-server";

/**
 * The fault matrix of issue 6, against the built packages: an app traced with `@llmops/platform-arize` (OTLP/HTTP
 * protobuf, the real exporter) while the backend refuses connections, answers 500, 503 or 429 with Retry-After, hangs,
 * resets the connection mid-body, or speaks TLS where plain HTTP was expected and the other way round; while an
 * instrumentor throws on import or on patch; while the exporter throws. Each app runs in its own process (jest cannot
 * host the exporter's dynamic `import("http")`), all of them at once, and reports what it saw.
 *
 * Every scenario asserts: no exception reached the app, no unhandled rejection or uncaught exception in the process,
 * `forceFlush()`/`shutdown()` resolved (never rejected) within their timeout with a report, `stats()` accounts for every
 * span that ended, and nothing the process printed (llmops at log level ALL, the OTel SDK's own diag included) contains
 * the API key. The transient faults assert which spans arrive at a decoding receiver, which is what the exporter's
 * retry rules (0.223.1: 429, 502, 503, 504 and network errors, within its timeout; Retry-After honoured) decide.
 *
 * SIGTERM with queued spans and a dead backend at exit are here with the real exporter; exit.test.ts covers the exit
 * behaviour itself (natural exit, an app's own signal handler) with fixture exporters.
 */

const SECRET = `sk-secret-DO-NOT-LEAK-${process.pid}-${Date.now().toString(36)}`;
const APP = join(__dirname, "apps", "fault-app.cjs");
/** How much later than its timeout a flush may resolve: a busy machine runs a dozen of these apps at once. */
const SLACK_MILLIS = 1_500;

jest.setTimeout(60_000);

interface Scenario {
  platform: "arize" | "throwing-exporter" | "instrumentors";
  endpoint?: string;
  /** `arize.timeout_ms`: the exporter's time limit for one export, retries included. */
  timeoutMillis?: number;
  phases?: Array<{ spans: number; flushMillis?: number; pauseMillis?: number; settleMillis?: number }>;
  finish: "shutdown" | "natural" | "signal";
  shutdownMillis?: number;
  flushOnExitMillis?: number;
  appRoot?: string;
  /** Instrumentors of the fixture platform (export `Instrumentation`). */
  instrumentors?: Array<{ key: string; packageName: string; moduleName: string }>;
  /** Modules the app requires before `instrument()`, and after. */
  earlyModules?: string[];
  lateModules?: string[];
}

interface Stats {
  spansEnded: number;
  spansExported: number;
  spansFailedExport: number;
  spansDroppedQueueFull: number;
  spansDroppedAfterShutdown: number;
  spansPending: number;
  lastExportError?: string;
}

interface Flush {
  ok: boolean;
  timedOut: boolean;
  error?: string;
  stats?: Stats;
  millis: number;
  rejected?: string;
}

interface AppResult {
  active: boolean;
  instrumentations: Array<{ key: string; status: string; message?: string }>;
  flushes: Flush[];
  shutdown?: Flush;
  stats: Stats;
  unhandled: string[];
  appErrors: string[];
  exported: string[];
  calls: Record<string, string | undefined>;
  memory: { heapUsedMB: number; rssMB: number };
}

interface AppRun {
  scenario: Scenario;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  result: AppResult;
  /** Milliseconds from the SIGTERM to the exit, when one was sent. */
  afterSignalMillis?: number;
  /** Milliseconds from the app's result line (its last line of work) to the exit. */
  afterResultMillis: number;
  /** `stats()` as the process exited. */
  exitStats?: Stats;
}

/** An app still running after this long is held by something: it is killed, and its run fails. */
const HELD_MILLIS = 45_000;

/** The environment of the apps: nothing of llmops or OpenTelemetry from this process; llmops logging everything. */
function appEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  // Batches leave only on forceFlush(), shutdown() or a full batch: which request carries which spans is known.
  return cleanEnvironment({ LLMOPS_LOG_LEVEL: "ALL", OTEL_BSP_SCHEDULE_DELAY: "600000", FAULT_SECRET: SECRET, ...extra });
}

/** Runs the app with a scenario; `onLine` sees each line it prints (stdout and stderr). */
async function runApp(scenario: Scenario, options: { env?: Record<string, string>; onLine?: (line: string, child: ChildProcess) => void; sigtermWhenReady?: boolean } = {}): Promise<AppRun> {
  let signalledAt: number | undefined;
  let resultAt = Date.now();
  const run = await runNode([APP], {
    env: appEnvironment({ FAULT_SCENARIO: JSON.stringify(scenario), ...options.env }),
    timeoutMillis: HELD_MILLIS,
    onLine: (line, child) => {
      options.onLine?.(line, child);
      if (line.startsWith("FAULT-RESULT ")) resultAt = Date.now();
      if (line === "READY" && options.sigtermWhenReady === true) {
        signalledAt = Date.now();
        child.kill("SIGTERM");
      }
    },
  });
  const { code, signal, stdout, stderr } = run;
  if (code === -1) throw new Error(`the app could not start: ${stderr}`);
  const afterResultMillis = Date.now() - resultAt;
  const exitStats = markedJsonLine<Stats>(stdout, "EXIT-STATS ");
  const result = markedJsonLine<AppResult>(stdout, "FAULT-RESULT ");
  if (result === undefined) throw new Error(`the app printed no result (exit ${code ?? signal})\nstdout: ${stdout.slice(-4000)}\nstderr: ${stderr.slice(-4000)}`);
  const afterSignalMillis = signalledAt === undefined ? undefined : Date.now() - signalledAt;
  return {
    scenario,
    code,
    signal,
    stdout,
    stderr,
    result,
    afterResultMillis,
    ...(exitStats === undefined ? {} : { exitStats }),
    ...(afterSignalMillis === undefined ? {} : { afterSignalMillis }),
  };
}

/** What every scenario must show, whatever the fault. */
function expectContained(run: AppRun): void {
  const { result } = run;
  const context = `stderr (end): ${run.stderr.slice(-2000)}`;
  expect({ appErrors: result.appErrors, unhandled: result.unhandled, context: result.appErrors.length + result.unhandled.length > 0 ? context : "" }).toEqual({
    appErrors: [],
    unhandled: [],
    context: "",
  });
  if (run.scenario.finish === "signal") expect(run.signal).toBe("SIGTERM");
  else expect({ code: run.code, signal: run.signal }).toEqual({ code: 0, signal: null });
  expect(`${run.stdout}\n${run.stderr}`).not.toContain(SECRET);
  const timeouts = [
    ...(run.scenario.phases ?? []).flatMap((phase) => (phase.flushMillis === undefined ? [] : [phase.flushMillis])),
    ...(result.shutdown === undefined ? [] : [run.scenario.shutdownMillis ?? 5_000]),
  ];
  for (const [index, flush] of [...result.flushes, ...(result.shutdown === undefined ? [] : [result.shutdown])].entries()) {
    expect(flush.rejected).toBeUndefined();
    expect(typeof flush.ok).toBe("boolean");
    expect(flush.millis).toBeLessThanOrEqual((timeouts[index] ?? 0) + SLACK_MILLIS);
  }
  const stats = result.stats;
  expect(stats.spansExported + stats.spansFailedExport + stats.spansDroppedQueueFull + stats.spansDroppedAfterShutdown + stats.spansPending).toBe(stats.spansEnded);
  if (run.scenario.finish === "shutdown") expect(stats.spansPending).toBe(0);
}

const spanNames = (receiver: HttpOtlpReceiver): string[] =>
  receiver
    .acceptedSpans()
    .map((span) => span.name)
    .sort();
const names = (phase: number, count: number): string[] => Array.from({ length: count }, (_, index) => `phase${phase}-${index}`).sort();
const output = (run: AppRun): string => `${run.stdout}\n${run.stderr}`;
/** The exporter's own diag line when it schedules a retry (shown at log level ALL). */
const RETRY = /Scheduling export retry in (\d+)ms/;

/** Instrumentors that break in each way, each patching its own module, which the app loads before or after `instrument()`. */
const INSTRUMENTORS = [
  { key: "import_throws_early", packageName: "instr-import-throws-early", moduleName: "lib-a" },
  { key: "import_throws_late", packageName: "instr-import-throws-late", moduleName: "lib-b" },
  { key: "patch_throws_early", packageName: "instr-patch-throws-early", moduleName: "lib-c" },
  { key: "patch_throws_late", packageName: "instr-patch-throws-late", moduleName: "lib-d" },
  { key: "good", packageName: "instr-good", moduleName: "lib-good" },
];

/** A temp app whose node_modules hold {@link INSTRUMENTORS} and the modules they patch. */
function instrumentorApp(): string {
  const root = mkdtempSync(join(tmpdir(), "llmops-faults-"));
  const throwingPatch = `class Instrumentation {
    constructor() {}
    setTracerProvider() {}
    enable() {}
    disable() {}
    manuallyInstrument() { throw new Error("broken at patch"); }
  }
  exports.Instrumentation = Instrumentation;`;
  const goodPatch = `class Instrumentation {
    constructor(config) { this.tracerProvider = config.tracerProvider; }
    setTracerProvider(tracerProvider) { this.tracerProvider = tracerProvider; }
    enable() {}
    disable() {}
    manuallyInstrument(moduleExports) {
      const original = moduleExports.call;
      const tracer = this.tracerProvider.getTracer("instr-good");
      moduleExports.call = (what) => { const span = tracer.startSpan("good-call"); try { return original(what) + " (traced)"; } finally { span.end(); } };
    }
  }
  exports.Instrumentation = Instrumentation;`;
  const library = `exports.call = (what) => "called " + what;`;
  const files: Record<string, string> = {};
  for (const spec of INSTRUMENTORS) {
    files[`${spec.packageName}/index.js`] = spec.key.startsWith("import_throws") ? `throw new Error("broken at import");` : spec.key === "good" ? goodPatch : throwingPatch;
    files[`${spec.moduleName}/index.js`] = library;
  }
  const dependencies: Record<string, string> = {};
  for (const [path, text] of Object.entries(files)) {
    const name = dirname(path);
    dependencies[name] = "1.0.0";
    mkdirSync(join(root, "node_modules", name), { recursive: true });
    writeFileSync(join(root, "node_modules", name, "package.json"), JSON.stringify({ name, version: "1.0.0", main: "index.js" }));
    writeFileSync(join(root, "node_modules", path), text);
  }
  writeFileSync(join(root, "package.json"), JSON.stringify({ name: "fault-instrumentors-app", version: "1.0.0", dependencies }));
  return root;
}

describe("fault matrix (child processes, built packages)", () => {
  const servers: Array<{ close(): Promise<void> }> = [];
  const runs: Record<string, Promise<AppRun>> = {};
  const receivers: Record<string, HttpOtlpReceiver> = {};
  const faults: Record<string, FaultServer> = {};
  let tls: Awaited<ReturnType<typeof startTlsServer>>;
  let certificates: ReturnType<typeof generateTestCertificates>;

  /** A receiver behind a fault server that applies `plan`; the app exports to the fault server. */
  async function faulty(name: string, plan: (index: number) => Fault): Promise<string> {
    const receiver = await startHttpReceiver();
    const server = await startFaultServer({ plan, upstream: receiver.url });
    servers.push(receiver, server);
    receivers[name] = receiver;
    faults[name] = server;
    return server.url;
  }

  const once =
    (fault: Fault) =>
    (index: number): Fault =>
      index === 0 ? fault : { kind: "forward" };

  beforeAll(async () => {
    const healthy = await startHttpReceiver();
    const natural = await startHttpReceiver();
    const sigterm = await startHttpReceiver();
    servers.push(healthy, natural, sigterm);
    receivers.healthy = healthy;
    receivers.natural = natural;
    receivers.sigterm = sigterm;
    certificates = generateTestCertificates();
    tls = await startTlsServer({ key: certificates.serverKey, cert: certificates.serverCert });
    servers.push(tls);

    const refusedPort = await unusedPort();
    const lateStartPort = await unusedPort();
    const twoPhases = [
      { spans: 5, flushMillis: 8_000 },
      { spans: 5, flushMillis: 8_000 },
    ];
    const arize = (endpoint: string, rest: Partial<Scenario> = {}): Scenario => ({ platform: "arize", endpoint, timeoutMillis: 4_000, phases: twoPhases, finish: "shutdown", ...rest });

    runs.healthy = runApp(arize(healthy.url));
    runs.natural = runApp(arize(natural.url, { phases: [{ spans: 3 }], finish: "natural" }));
    runs.refused = runApp(arize(`http://127.0.0.1:${refusedPort}`, { timeoutMillis: 1_500, phases: [{ spans: 5, flushMillis: 5_000 }] }));
    // Refused until the backend starts, once the exporter has seen the refusal and scheduled its retry.
    const lateReceiver = await startHttpReceiver();
    servers.push(lateReceiver);
    receivers.lateStart = lateReceiver;
    let lateServer: Promise<void> | undefined;
    runs.lateStart = runApp(arize(`http://127.0.0.1:${lateStartPort}`, { phases: [{ spans: 5, flushMillis: 8_000 }] }), {
      onLine: (line) => {
        if (lateServer !== undefined || !RETRY.test(line)) return;
        lateServer = startFaultServer({ plan: () => ({ kind: "forward" }), upstream: lateReceiver.url, port: lateStartPort }).then((server) => void servers.push(server));
      },
    });
    runs.status500 = runApp(arize(await faulty("status500", once({ kind: "status", status: 500 }))));
    runs.status503 = runApp(arize(await faulty("status503", once({ kind: "status", status: 503 }))));
    runs.retryAfter = runApp(arize(await faulty("retryAfter", once({ kind: "status", status: 429, headers: { "retry-after": "2" } }))));
    runs.retryAfterTooLong = runApp(arize(await faulty("retryAfterTooLong", once({ kind: "status", status: 429, headers: { "retry-after": "30" } })), { timeoutMillis: 2_000 }));
    runs.reset = runApp(arize(await faulty("reset", once({ kind: "reset" }))));
    runs.hang = runApp(arize(await faulty("hang", () => ({ kind: "hang" })), { timeoutMillis: 1_000, phases: [{ spans: 5, flushMillis: 300 }], shutdownMillis: 4_000 }));
    // A collector that answers 200 and then one byte every 500 ms, forever: the exporter's idle timeout never fires.
    runs.trickle = runApp(arize(await faulty("trickle", () => ({ kind: "trickle" })), { timeoutMillis: 1_000, phases: [{ spans: 5 }], shutdownMillis: 8_000 }));
    // The app returns from its last line while the collector accepts and never answers, with a long exporter timeout.
    runs.naturalHang = runApp(arize(await faulty("naturalHang", () => ({ kind: "hang" })), { timeoutMillis: 30_000, phases: [{ spans: 3 }], finish: "natural" }));
    runs.tlsWhenPlainExpected = runApp(arize(tls.url, { timeoutMillis: 1_500, phases: [{ spans: 5, flushMillis: 5_000 }] }));
    const plain = await startHttpReceiver();
    servers.push(plain);
    receivers.plainWhenTlsExpected = plain;
    runs.plainWhenTlsExpected = runApp(arize(plain.url.replace("http:", "https:"), { timeoutMillis: 1_500, phases: [{ spans: 5, flushMillis: 5_000 }] }));
    // 20,000 spans at once into a backend that never answers: the queue holds 2 MB of them, the rest are counted and warned.
    runs.queue = runApp(arize(await faulty("queue", () => ({ kind: "hang" })), { timeoutMillis: 1_000, phases: [{ spans: 20_000 }], shutdownMillis: 4_000 }), {
      env: { LLMOPS_LOG_LEVEL: "WARN", LLMOPS_EXPORT_QUEUE_MEMORY_MB: "2" },
    });
    runs.throwingExporter = runApp({ platform: "throwing-exporter", phases: [{ spans: 5, flushMillis: 2_000 }], finish: "shutdown" });
    runs.instrumentors = runApp({
      platform: "instrumentors",
      appRoot: instrumentorApp(),
      instrumentors: INSTRUMENTORS,
      earlyModules: ["lib-a", "lib-c"],
      lateModules: ["lib-b", "lib-d", "lib-good"],
      phases: [{ spans: 0, flushMillis: 2_000 }],
      finish: "shutdown",
    });
    runs.sigterm = runApp(arize(sigterm.url, { phases: [{ spans: 3 }], finish: "signal", flushOnExitMillis: 3_000 }), { sigtermWhenReady: true });
    runs.sigtermDeadBackend = runApp(
      arize(await faulty("sigtermDeadBackend", () => ({ kind: "hang" })), { timeoutMillis: 10_000, phases: [{ spans: 3 }], finish: "signal", flushOnExitMillis: 1_000 }),
      {
        sigtermWhenReady: true,
      },
    );
    // Settle every run before the tests read them, so one failure does not leave the others' processes behind.
    await Promise.allSettled(Object.values(runs));
  });

  afterAll(async () => {
    await Promise.allSettled(servers.map((server) => server.close()));
    certificates?.remove();
  });

  it("healthy backend (positive control): every span arrives, with the API key, and is counted as exported", async () => {
    const run = await runs.healthy!;
    expectContained(run);
    expect(spanNames(receivers.healthy!)).toEqual([...names(0, 5), ...names(1, 5)].sort());
    // The key really went out (so "not in the output" means something), in the header only.
    expect(receivers.healthy!.requests[0]?.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(run.result.flushes.map((flush) => flush.ok)).toEqual([true, true]);
    expect(run.result.stats).toEqual({
      spansEnded: 10,
      spansExported: 10,
      spansFailedExport: 0,
      spansDroppedQueueFull: 0,
      spansDroppedAfterShutdown: 0,
      spansPending: 0,
      spansSampledOut: 0,
      unpricedModels: {},
    });
  });

  it("natural exit (positive control): queued spans leave on beforeExit and the process exits 0", async () => {
    const run = await runs.natural!;
    expectContained(run);
    expect(spanNames(receivers.natural!)).toEqual(names(0, 3));
  });

  it("connection refused for good: the flush reports the failure, the spans are counted as failed and warned with a hint", async () => {
    const run = await runs.refused!;
    expectContained(run);
    const [flush] = run.result.flushes;
    expect(flush).toEqual(expect.objectContaining({ ok: false, timedOut: false, error: expect.stringContaining("ECONNREFUSED") }));
    expect(run.result.stats).toEqual(expect.objectContaining({ spansEnded: 5, spansFailedExport: 5, spansExported: 0 }));
    expect(output(run)).toMatch(RETRY); // refused connections are retried within the export timeout
    expect(output(run)).toContain("Nothing answered at arize.endpoint");
  });

  it("connection refused until the backend starts within the retry window: every span arrives", async () => {
    const run = await runs.lateStart!;
    expectContained(run);
    expect(output(run)).toMatch(RETRY);
    expect(spanNames(receivers.lateStart!)).toEqual([...names(0, 5)].sort());
    expect(run.result.stats).toEqual(expect.objectContaining({ spansEnded: 5, spansExported: 5, spansFailedExport: 0 }));
  });

  it("500 once: not retried (not a retryable status for OTLP/HTTP), that batch is counted as failed; the next batch arrives", async () => {
    const run = await runs.status500!;
    expectContained(run);
    expect(faults.status500!.handled.map((request) => request.fault)).toEqual(["status", "forward"]);
    expect(run.result.flushes.map((flush) => flush.ok)).toEqual([false, true]);
    expect(run.result.flushes[0]?.error).toContain("500");
    expect(spanNames(receivers.status500!)).toEqual(names(1, 5));
    expect(run.result.stats).toEqual(expect.objectContaining({ spansEnded: 10, spansExported: 5, spansFailedExport: 5 }));
    expect(output(run)).toContain("Export to Phoenix at");
  });

  it("503 once: retried after the exporter's backoff, every span arrives", async () => {
    const run = await runs.status503!;
    expectContained(run);
    expect(faults.status503!.handled.map((request) => request.fault)).toEqual(["status", "forward", "forward"]);
    expect(spanNames(receivers.status503!)).toEqual([...names(0, 5), ...names(1, 5)].sort());
    expect(run.result.stats).toEqual(expect.objectContaining({ spansEnded: 10, spansExported: 10, spansFailedExport: 0 }));
  });

  it("429 with Retry-After: 2 once: the exporter waits the 2 s the backend asked for, then every span arrives", async () => {
    const run = await runs.retryAfter!;
    expectContained(run);
    expect(RETRY.exec(output(run))?.[1]).toBe("2000");
    const [refused, retried] = faults.retryAfter!.handled;
    expect(retried!.at - refused!.at).toBeGreaterThanOrEqual(1_900);
    expect(spanNames(receivers.retryAfter!)).toEqual([...names(0, 5), ...names(1, 5)].sort());
    expect(run.result.flushes.map((flush) => flush.ok)).toEqual([true, true]);
    expect(run.result.stats).toEqual(expect.objectContaining({ spansEnded: 10, spansExported: 10 }));
  });

  it("429 with a Retry-After beyond the export timeout: that batch fails at once (counted), the next one arrives", async () => {
    const run = await runs.retryAfterTooLong!;
    expectContained(run);
    expect(output(run)).toMatch(/Export retry time 30000ms exceeds remaining timeout/);
    expect(faults.retryAfterTooLong!.handled.map((request) => request.fault)).toEqual(["status", "forward"]);
    expect(run.result.flushes.map((flush) => flush.ok)).toEqual([false, true]);
    expect(spanNames(receivers.retryAfterTooLong!)).toEqual(names(1, 5));
    expect(run.result.stats).toEqual(expect.objectContaining({ spansEnded: 10, spansExported: 5, spansFailedExport: 5 }));
  });

  it("connection reset mid-body once: retried, every span arrives", async () => {
    const run = await runs.reset!;
    expectContained(run);
    expect(output(run)).toMatch(RETRY);
    expect(faults.reset!.handled.map((request) => request.fault)).toEqual(["reset", "forward", "forward"]);
    expect(spanNames(receivers.reset!)).toEqual([...names(0, 5), ...names(1, 5)].sort());
    expect(run.result.stats).toEqual(expect.objectContaining({ spansEnded: 10, spansExported: 10, spansFailedExport: 0 }));
  });

  it("backend hanging past the timeout: forceFlush resolves at its own timeout, shutdown reports the loss, spans counted as failed", async () => {
    const run = await runs.hang!;
    expectContained(run);
    expect(run.result.flushes[0]).toEqual(expect.objectContaining({ ok: false, timedOut: true }));
    expect(run.result.shutdown).toEqual(expect.objectContaining({ ok: false, error: "5 spans were not delivered; last error: Request timed out" }));
    expect(run.result.stats).toEqual(expect.objectContaining({ spansEnded: 5, spansFailedExport: 5, spansPending: 0 }));
  });

  it("collector trickling its answer: the export ends by its deadline (timeout_ms + 1 s), counted as failed, and the process exits", async () => {
    const run = await runs.trickle!;
    expectContained(run);
    expect(run.result.shutdown).toEqual(
      expect.objectContaining({ ok: false, timedOut: false, error: expect.stringContaining("5 spans were not delivered; last error: no complete answer within 2000 ms, the export deadline") }),
    );
    expect(run.result.stats).toEqual(expect.objectContaining({ spansEnded: 5, spansFailedExport: 5, spansPending: 0 }));
    // The abandoned request's connection was ended: nothing held the process after the app's last line.
    expect(run.afterResultMillis).toBeLessThan(5_000);
  });

  it("natural exit with a collector that never answers (timeout_ms 30000): exit within the flush bound, one line with the spans lost, counted in stats()", async () => {
    const run = await runs.naturalHang!;
    expectContained(run);
    // The default exit bound is 5 s; the exporter's own timeout (30 s) does not count.
    expect(run.afterResultMillis).toBeLessThan(5_000 + 5_000);
    const lines = output(run)
      .split("\n")
      .filter((line) => line.includes("lost at exit"));
    expect(lines).toEqual([expect.stringContaining("3 spans were lost at exit: the flush at exit did not finish within 5000 ms (flushOnExit.timeoutMillis)")]);
    expect(run.exitStats).toEqual(expect.objectContaining({ spansEnded: 3, spansFailedExport: 3, spansPending: 0, lastExportError: expect.stringContaining("abandoned at exit") }));
  });

  it("TLS where plain HTTP was expected: the export fails, counted and warned; the app runs on", async () => {
    const run = await runs.tlsWhenPlainExpected!;
    expectContained(run);
    expect(tls.connections()).toBeGreaterThan(0);
    expect(run.result.flushes[0]).toEqual(expect.objectContaining({ ok: false, timedOut: false }));
    expect(run.result.stats).toEqual(expect.objectContaining({ spansEnded: 5, spansFailedExport: 5 }));
    expect(output(run)).toContain("Export to Phoenix at");
  });

  it("plain HTTP where TLS was expected: the export fails, counted and warned; nothing reaches the receiver", async () => {
    const run = await runs.plainWhenTlsExpected!;
    expectContained(run);
    expect(run.result.flushes[0]).toEqual(expect.objectContaining({ ok: false, timedOut: false }));
    expect(run.result.stats).toEqual(expect.objectContaining({ spansEnded: 5, spansFailedExport: 5 }));
    expect(receivers.plainWhenTlsExpected!.requests).toEqual([]);
  });

  it("20,000 spans into a hanging backend: the queue stays at its memory bound, every drop is counted and warned once with the total", async () => {
    const run = await runs.queue!;
    expectContained(run);
    // What the 2 MB queue held was handed to the hanging exporter and given up on; the rest was dropped: counted, not silent.
    const stats = run.result.stats;
    expect(stats).toEqual(expect.objectContaining({ spansEnded: 20_000, spansExported: 0, spansDroppedAfterShutdown: 0, spansPending: 0 }));
    expect(stats.spansFailedExport + stats.spansDroppedQueueFull).toBe(20_000);
    expect(stats.spansFailedExport).toBeGreaterThan(1_000);
    expect(stats.spansFailedExport).toBeLessThan(4_000);
    const warnings = output(run).match(/\d+ spans dropped in total for Phoenix at .*: its export queue was full \(2 MB of spans \(export.queue_memory_mb\)\)/g) ?? [];
    expect(warnings).toEqual([expect.stringContaining(`${stats.spansDroppedQueueFull} spans dropped in total`)]);
    expect(output(run)).toContain("raise export.queue_memory_mb");
    expect(output(run)).not.toContain("maxQueueSize reached");
    // Failed batches are warned about once per 30 s, not logged again by the SDK with a stack trace per batch. The
    // first failure is the exporter's own timeout, or core's export deadline when loading the exporter took long.
    expect(output(run).match(/Export to Phoenix at .* failed \((Request timed out|no complete answer within \d+ ms, the export deadline)/g)).toHaveLength(1);
    expect(output(run)).not.toContain("http-transport-utils");
  });

  it("an exporter that throws: counted as failed and warned, the flush reports it, the app runs on", async () => {
    const run = await runs.throwingExporter!;
    expectContained(run);
    expect(run.result.flushes[0]).toEqual(expect.objectContaining({ ok: false, error: "5 spans were not delivered; last error: exporter exploded" }));
    expect(run.result.stats).toEqual(expect.objectContaining({ spansEnded: 5, spansFailedExport: 5 }));
    expect(output(run)).toContain("Export to the fixture backend failed (exporter exploded)");
  });

  it("instrumentors that throw on import or on patch: reported or warned, the app's modules work, the others still apply", async () => {
    const run = await runs.instrumentors!;
    expectContained(run);
    const report = Object.fromEntries(run.result.instrumentations.map((entry) => [entry.key, entry]));
    // Loaded with the module, before instrument() or when the app required it after: either way reported failed.
    expect(report.import_throws_early).toEqual(expect.objectContaining({ status: "failed", message: expect.stringContaining("broken at import") }));
    expect(report.import_throws_late).toEqual(expect.objectContaining({ status: "failed", message: expect.stringContaining("broken at import") }));
    expect(report.patch_throws_early).toEqual(expect.objectContaining({ status: "failed", message: expect.stringContaining("broken at patch") }));
    // The patch throws as the app requires the module: warned, and the app gets the module unpatched.
    expect(output(run)).toMatch(/instrumentor patch_throws_late \(instr-patch-throws-late\) failed to patch lib-d as it loaded: broken at patch/);
    expect(report.good).toEqual(expect.objectContaining({ status: "instrumented" }));
    expect(run.result.calls).toEqual({ "lib-a": "called lib-a", "lib-c": "called lib-c", "lib-b": "called lib-b", "lib-d": "called lib-d", "lib-good": "called lib-good (traced)" });
    expect(run.result.exported).toEqual(["good-call"]);
  });

  it("SIGTERM with queued spans: they reach the backend before the process ends by SIGTERM, as without llmops", async () => {
    const run = await runs.sigterm!;
    expectContained(run);
    expect(run.signal).toBe("SIGTERM");
    expect(spanNames(receivers.sigterm!)).toEqual(names(0, 3));
  });

  it("SIGTERM with a dead backend: the exit is not held past the flush timeout, and the loss is reported with the counts", async () => {
    const run = await runs.sigtermDeadBackend!;
    expectContained(run);
    expect(run.signal).toBe("SIGTERM");
    expect(run.afterSignalMillis).toBeLessThan(1_000 + SLACK_MILLIS + 1_000);
    expect(run.stderr).toContain("3 spans were lost at exit: the flush at exit did not finish within 1000 ms (flushOnExit.timeoutMillis)");
  });
});
