/**
 * `@opentelemetry/api` as a bundler may hand it over: empty. Rollup's single-file output can run core's import of the
 * API before the bundled API's own code, and the import then gives `undefined`; `instrument()` must say so, with the
 * way out, instead of failing later on a property of `undefined`.
 */
describe("an empty @opentelemetry/api module", () => {
  afterEach(() => {
    jest.resetModules();
    jest.dontMock("@opentelemetry/api");
  });

  it("is refused with the reason and the fix, and instrument() rejects with MissingDependencyError saying it", async () => {
    jest.resetModules();
    jest.doMock("@opentelemetry/api", () => ({}));
    const { otelApi } = await import("../src/internal/otel-api");
    await expect(otelApi()).rejects.toThrow(/not the API \(empty\): a bundler ran llmops before the bundled API's own code.*Keep @opentelemetry\/api external/);

    jest.resetModules();
    jest.doMock("@opentelemetry/api", () => ({}));
    const core = await import("../src/index");
    const platform = core.definePlatform({
      name: "empty-api",
      configSection: "empty_api",
      packageName: "empty-api",
      schema: (await import("valibot")).optional((await import("valibot")).object({}), {}),
      instrumentors: [],
      createTracerProvider: ({ assembleTracerProvider }) => assembleTracerProvider({ exporters: [] }),
    });
    core.registerPlatform(platform);
    const started = core.getPlatform("empty-api").instrument({ config: { service: { name: "app" } }, global: false, flushOnExit: false });
    await expect(started).rejects.toMatchObject({ name: "MissingDependencyError" });
    await expect(started).rejects.toThrow(/could not be loaded: the module it gave is not the API \(empty\)/);
  });
});
