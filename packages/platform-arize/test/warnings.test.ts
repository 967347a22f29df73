import { getPlatform, registerPlatform } from "@llmops/core";
import { platform } from "@llmops/platform-arize";
import { captureDiag } from "@llmops-internal/test-support";
import { resetProcessState } from "@llmops-internal/test-support/process-state";

describe("start-up warnings", () => {
  beforeEach(resetProcessState);

  it("warns once when an api_key would go over plain HTTP to another machine, without the key", async () => {
    const logs = captureDiag();
    registerPlatform(platform);
    const tracing = await getPlatform("arize").instrument({
      appRoot: __dirname,
      env: { PHOENIX_API_KEY: "pk-secret-123456" },
      global: false,
      flushOnExit: false,
      config: { service: { name: "w" }, arize: { endpoint: "http://collector.example.com:6006" } },
    });
    expect(tracing.active).toBe(true);
    const warnings = logs.messages.filter((message) => message.includes("plain HTTP"));
    expect(warnings).toEqual([expect.stringContaining("arize.api_key is sent over plain HTTP to collector.example.com:6006")]);
    expect(logs.text()).not.toContain("pk-secret");
    await tracing.shutdown({ timeoutMillis: 100 });
    logs.restore();
  });

  it("warns for a host whose name only starts like a loopback address", async () => {
    const logs = captureDiag();
    registerPlatform(platform);
    const tracing = await getPlatform("arize").instrument({
      appRoot: __dirname,
      env: {},
      global: false,
      flushOnExit: false,
      config: { service: { name: "w" }, arize: { endpoint: "http://127.evil.example:6006", api_key: "k-secret-127" } },
    });
    expect(logs.messages.filter((message) => message.includes("plain HTTP"))).toEqual([expect.stringContaining("arize.api_key is sent over plain HTTP to 127.evil.example:6006")]);
    expect(logs.text()).not.toContain("k-secret-127");
    await tracing.shutdown({ timeoutMillis: 100 });
    logs.restore();
  });

  it("says nothing of the kind for loopback or https", async () => {
    for (const endpoint of ["http://127.0.0.1:6006", "https://collector.example.com"]) {
      resetProcessState();
      const logs = captureDiag();
      registerPlatform(platform);
      const tracing = await getPlatform("arize").instrument({
        appRoot: __dirname,
        env: {},
        global: false,
        flushOnExit: false,
        config: { service: { name: "w" }, arize: { endpoint, api_key: "k" } },
      });
      expect(logs.messages.filter((message) => message.includes("plain HTTP"))).toEqual([]);
      await tracing.shutdown({ timeoutMillis: 100 });
      logs.restore();
    }
  });
});
