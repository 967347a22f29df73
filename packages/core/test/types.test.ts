import * as v from "valibot";
import { definePlatform, getPlatform, registerPlatform } from "@llmops/core";
import type { PlatformConfig, PlatformHandle, SectionOf } from "@llmops/core";
import { resetProcessState } from "@llmops-internal/test-support/process-state";

/**
 * Typed access through declaration merging. The assertions that matter are compile-time: `pnpm typecheck` fails if
 * `getPlatform("typed")` stops returning a handle of the augmented platform, or the section type stops being inferred.
 */
const typedPlatform = definePlatform({
  name: "typed",
  configSection: "typed",
  packageName: "typed-platform",
  schema: v.object({ endpoint: v.string(), retries: v.optional(v.number(), 3) }),
  instrumentors: [],
  createTracerProvider: ({ section }) => {
    const endpoint: string = section.endpoint;
    const retries: number = section.retries;
    return Promise.reject(new Error(`${endpoint}:${retries}`));
  },
});

declare module "@llmops/core" {
  interface PlatformRegistry {
    typed: typeof typedPlatform;
  }
}

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const sectionIsInferred: Equal<SectionOf<typeof typedPlatform>, { endpoint: string; retries: number }> = true;

/**
 * `instrument({ config })` is typed by the platform's schema (its input side: keys with defaults are optional), and
 * the shared sections are typed too. Compiled by `pnpm typecheck`, never called: each `@ts-expect-error` fails the
 * typecheck if the line it stands on compiles.
 */
function typedConfigCompiles(handle: PlatformHandle<typeof typedPlatform>): void {
  void handle.instrument({ config: { service: { name: "x" }, typed: { endpoint: "http://127.0.0.1:1" } } });
  void handle.instrument({ config: { typed: { endpoint: "http://127.0.0.1:1", retries: 2 }, otherPlatform: { anything: true } } });
  void getPlatform("typed").instrument({ config: { typed: { endpoint: "x" }, validation: { mode: "strict" } } });
  // @ts-expect-error retries is a number
  void handle.instrument({ config: { typed: { endpoint: "x", retries: "3" } } });
  // @ts-expect-error endpoint has no default: a section without it is invalid
  void getPlatform("typed").instrument({ config: { typed: { retries: 3 } } });
  // @ts-expect-error validation.mode is "strict" or "permissive"
  void getPlatform("typed").instrument({ config: { validation: { mode: "loose" } } });
  // @ts-expect-error service.name is a string
  void getPlatform("typed").instrument({ config: { service: { name: 5 } } });
}
const configOfTyped: Equal<PlatformConfig<typeof typedPlatform>["typed"], { endpoint: string; retries?: number | undefined } | undefined> = true;

describe("typed getPlatform", () => {
  beforeEach(resetProcessState);

  it("returns a handle typed by the augmented registry", async () => {
    registerPlatform(typedPlatform);
    const handle: PlatformHandle<typeof typedPlatform> = getPlatform("typed");
    const loaded = await handle.load();
    const section: SectionOf<typeof loaded> = { endpoint: "x", retries: 1 };
    expect(section.retries).toBe(1);
    expect(loaded).toBe(typedPlatform);
    expect(sectionIsInferred).toBe(true);
    expect(configOfTyped).toBe(true);
    expect(typeof typedConfigCompiles).toBe("function");
  });
});
