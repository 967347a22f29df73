import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { getPlatform, registerPlatform } from "@llmops/core";
import { resolveConfig } from "../src/config/resolve-config";
import { captureDiag, createTempApp } from "@llmops-internal/test-support";
import { resetProcessState } from "@llmops-internal/test-support/process-state";
import { memoryPlatform } from "./helpers";

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
      fc.asyncProperty(
        fc.oneof(
          config.map((inline) => ({ inline })),
          fileText.map((text) => ({ text })),
        ),
        async (input) => {
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
        },
      ),
      { numRuns: 1000, seed: 20261122 },
    );
    expect(runs).toBe(1000);
  }, 120_000);
});

/**
 * 500 configurations with shared values (as YAML aliases make them), deep nesting, cycles and `__proto__` keys,
 * inline and as JSON text: every one resolves or is refused with issues, a value counted past the bounds is refused
 * by them, and no key reaches the section that the configuration did not write as the section's own.
 */
describe("config structure under sharing, nesting and prototype keys (property test)", () => {
  const appRoot = createTempApp({ manifest: { name: "fuzz-structure" } });
  const { platform } = memoryPlatform();
  const planted = "planted-through-prototype";

  /** `levels` levels of `fanout` references to one object: fanout^levels places for it. */
  const shared = fc
    .record({
      leaf: fc.constantFrom<[unknown, number]>(["x", 1], [1, 1], [{ label: "y" }, 2], [["${PLANTED}"], 2]),
      levels: fc.integer({ min: 0, max: 4 }),
      fanout: fc.integer({ min: 1, max: 10 }),
    })
    .map(({ leaf: [leaf, leafValues], levels, fanout }) => {
      let value: unknown = leaf;
      let values = leafValues;
      for (let level = 0; level < levels; level++) {
        value = Array(fanout).fill(value);
        values = 1 + fanout * values;
      }
      return { value, values };
    });
  const depth = fc.integer({ min: 1, max: 45 }).map((levels) => {
    let value: unknown = "deep";
    for (let level = 0; level < levels; level++) value = { next: value };
    return { value, levels };
  });
  const prototypeKey = fc.constantFrom("__proto__", "constructor", "prototype");

  it("resolves or refuses every one, within the bounds, and never inherits a key", async () => {
    await fc.assert(
      fc.asyncProperty(shared, depth, prototypeKey, fc.boolean(), fc.boolean(), async (sharedValue, deep, key, cyclic, asJson) => {
        const memory: Record<string, unknown> = { extra: sharedValue.value, nested: deep.value };
        const config: Record<string, unknown> = { service: { name: "fuzz" }, memory };
        const hostile = JSON.parse(`{"${key}": {"label": "${planted}"}}`) as Record<string, unknown>;
        Object.assign(memory, { hostile });
        if (cyclic && !asJson) memory.loop = config;
        const options = { platform, appRoot, env: { PLANTED: "value" } };
        const result = asJson
          ? await (async () => {
              const file = `${appRoot}/fuzz-${Math.random().toString(36).slice(2)}.json`;
              writeFileSync(file, JSON.stringify(config));
              return resolveConfig({ ...options, configPath: file });
            })()
          : await resolveConfig({ ...options, inline: config });
        const messages = result.issues.map((issue) => issue.message).join("\n");
        expect(result.resolved).toBeUndefined(); // the prototype key is refused, if nothing stopped the walk before
        // The walk meets, in order: the shared value (count), the nested one (depth), the prototype key, the cycle.
        // The rest of the configuration holds fewer than 100 values.
        const tooMany = sharedValue.values > 10_000;
        const fewEnough = sharedValue.values < 9_900;
        const tooDeep = deep.levels + 2 > 32; // the root and `memory` hold the chain
        if (tooMany) expect(messages).toContain("holds more than 10000 values");
        else if (fewEnough && tooDeep) expect(messages).toContain("deeper than 32 levels");
        else if (fewEnough) {
          expect(result.issues.map((issue) => issue.path)).toContain(`memory.hostile.${key}`);
          if (cyclic && !asJson) expect(messages).toContain("refers to itself");
        }
        expect(JSON.stringify(result.resolved ?? {})).not.toContain(planted);
      }),
      { numRuns: 500, seed: 20261129 },
    );
  }, 120_000);
});
