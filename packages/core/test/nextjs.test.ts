import { getPlatform, registerPlatform } from "@llmops/core";
import { captureDiag, createTempApp } from "@llmops-internal/test-support";
import type { CapturedLogs } from "@llmops-internal/test-support";
import { resetProcessState } from "@llmops-internal/test-support/process-state";
import { nextjsTracingOff } from "../src/pipeline/nextjs";
import { memoryPlatform } from "./helpers";

/** instrument() inside Next.js: nothing on the Edge runtime (with a message), nothing while `next build` runs unless asked. */
describe("instrument() under Next.js", () => {
  const appRoot = createTempApp({ manifest: { name: "next-app" } });
  let logs: CapturedLogs;

  beforeEach(() => {
    resetProcessState();
    logs = captureDiag();
  });

  async function start(env: Record<string, string>) {
    const { platform } = memoryPlatform();
    registerPlatform(platform);
    return getPlatform("memory").instrument({ appRoot, env, flushOnExit: false, config: { service: { name: "svc" } } });
  }

  it("on the Edge runtime returns a no-op handle and says once what to do, without throwing", async () => {
    const first = await start({ NEXT_RUNTIME: "edge" });
    expect(first.active).toBe(false);
    await first.shutdown();
    await start({ NEXT_RUNTIME: "edge" });
    const lines = logs.messages.filter((message) => message.includes("Edge runtime"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('process.env.NEXT_RUNTIME === "nodejs"');
  });

  it("while next build runs returns a no-op handle, unless LLMOPS_TRACE_NEXT_BUILD=true", async () => {
    expect((await start({ NEXT_PHASE: "phase-production-build" })).active).toBe(false);
    resetProcessState();
    const traced = await start({ NEXT_PHASE: "phase-production-build", LLMOPS_TRACE_NEXT_BUILD: "true" });
    expect(traced.active).toBe(true);
    await traced.shutdown();
    resetProcessState();
    const server = await start({ NEXT_RUNTIME: "nodejs" });
    expect(server.active).toBe(true);
    await server.shutdown();
  });

  it("recognises next build's main process by its arguments, before NEXT_PHASE is set", () => {
    expect(nextjsTracingOff({}, ["/usr/bin/node", "/app/node_modules/next/dist/bin/next", "build"])).toContain("next build is running");
    expect(nextjsTracingOff({}, ["/usr/bin/node", "/app/node_modules/next/dist/bin/next", "--no-lint", "build"])).toContain("next build is running");
    expect(nextjsTracingOff({}, ["/usr/bin/node", "/app/node_modules/.bin/next", "build"])).toContain("next build is running");
    expect(nextjsTracingOff({}, ["/usr/bin/node", "/app/node_modules/next/dist/bin/next", "start"])).toBeUndefined();
    expect(nextjsTracingOff({}, ["/usr/bin/node", "/app/build.js", "build"])).toBeUndefined();
    expect(nextjsTracingOff({ NEXT_PHASE: "phase-production-server" })).toBeUndefined();
  });
});
