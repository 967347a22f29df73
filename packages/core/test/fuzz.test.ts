import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { getPlatform, registerPlatform } from "@llmops/core";
import { captureDiag, createTempApp, memoryPlatform, resetProcessState } from "./helpers";

/**
 * 1,000 malformed configurations through the whole pipeline in permissive mode: not one exception reaches the
 * caller, every call returns a handle whose methods resolve, and no planted secret reaches the log.
 */
describe("permissive mode under malformed configuration (property test)", () => {
  const appRoot = createTempApp({ manifest: { name: "fuzz-app" } });
  const secret = "sk-fuzz-SECRET-0123456789";
  const env = { PLANTED: secret, MEMORY_API_KEY: secret };

  const keys = fc.constantFrom("service", "name", "version", "environment", "instrumentation", "validation", "mode", "memory", "label", "api_key", "batch", "openai", "__proto__", "constructor", "");
  const scalar = fc.oneof(
    fc.string(),
    fc.constantFrom("${PLANTED}", "${UNSET_VAR}", "$${LITERAL}", "${BROKEN", "${PLANTED:-x}", "strict", "permissive", "true"),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
  );
  const value = fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: "small" }, scalar, fc.array(tie("node"), { maxLength: 3 }), fc.dictionary(keys, tie("node"), { maxKeys: 4 })),
  })).node;
  const config = fc.oneof(
    fc.dictionary(keys, value, { maxKeys: 5 }),
    fc.record({ service: value, memory: value, instrumentation: value, validation: fc.record({ mode: fc.constantFrom("permissive", "bogus", 3) }) }, { requiredKeys: [] }),
    value,
  );
  const fileText = fc.oneof(fc.string(), fc.constantFrom("service:\n  name: [unclosed", "{", "- a\n- b", "service: !!js/function 'x'", "\u0000\u0001", "service:\n\tname: tab"));

  let runs = 0;

  it("never throws into the caller, over 1,000 inline and file configurations", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(config.map((inline) => ({ inline })), fileText.map((text) => ({ text }))), async (input) => {
        resetProcessState();
        const logs = captureDiag();
        const { platform } = memoryPlatform();
        registerPlatform(platform);
        const options = { appRoot, env, global: false, flushOnExit: false as const };
        let handle;
        if ("text" in input) {
          const file = join(appRoot, "fuzz.yaml");
          writeFileSync(file, input.text);
          handle = await getPlatform("memory").instrument({ ...options, configPath: file });
        } else {
          handle = await getPlatform("memory").instrument({ ...options, config: input.inline as Record<string, unknown> });
        }
        await handle.forceFlush({ timeoutMillis: 1000 });
        await handle.shutdown({ timeoutMillis: 1000 });
        logs.restore();
        runs++;
        return !logs.text().includes(secret);
      }),
      { numRuns: 1000, seed: 20261122 },
    );
    expect(runs).toBe(1000);
  }, 120_000);
});
