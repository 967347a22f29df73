import * as v from "valibot";
import { definePlatform, getPlatform, registerPlatform } from "@llmops/core";
import type { PlatformHandle, SectionOf } from "@llmops/core";
import { resetProcessState } from "./helpers";

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
  });
});
