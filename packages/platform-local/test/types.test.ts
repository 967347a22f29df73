import { getPlatform } from "@llmops/core";
import type { PlatformConfig } from "@llmops/core";
import { instrument, platform } from "@llmops/platform-local";

/**
 * `instrument({ config })` of the local platform is typed by its schema, through its own `instrument()` and through
 * `getPlatform("local")`. Compiled by `pnpm typecheck`, never called: each `@ts-expect-error` fails the typecheck if
 * the line under it compiles.
 */
function localConfigCompiles(): void {
  void instrument({ config: { service: { name: "x" }, local: { print_tree: true, directory: "traces" } } });
  void getPlatform("local").instrument({ config: { local: { batch_spans: false }, arize: { endpoint: "not checked here" } } });
  // @ts-expect-error local.print_tree is a boolean
  void instrument({ config: { local: { print_tree: "yes" } } });
  // @ts-expect-error local.print_tree is a boolean, also through getPlatform("local")
  void getPlatform("local").instrument({ config: { local: { print_tree: "yes" } } });
  // @ts-expect-error local.directory is a string
  void instrument({ config: { local: { directory: 42 } } });
}

const sample: PlatformConfig<typeof platform> = { service: { name: "x" }, local: { print_tree: true } };

describe("typed instrument({ config }) of the local platform", () => {
  it("accepts the file's shape (the checks above are compile-time)", () => {
    expect(typeof localConfigCompiles).toBe("function");
    expect(sample.local).toEqual({ print_tree: true });
  });
});
