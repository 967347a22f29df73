import { diag } from "@opentelemetry/api";
import { captureDiag } from "@llmops-internal/test-support";

describe("llmops's diag logger", () => {
  afterEach(() => {
    diag.disable();
    jest.resetModules();
  });

  it("before core has loaded the API, logs to the diag logger registered in the global slot, as the API's component loggers do", async () => {
    let module: typeof import("../src/internal/logger") | undefined;
    let api: typeof import("../src/internal/otel-api") | undefined;
    jest.isolateModules(() => {
      module = jest.requireActual<typeof import("../src/internal/logger")>("../src/internal/logger");
      api = jest.requireActual<typeof import("../src/internal/otel-api")>("../src/internal/otel-api");
    });
    const { logger, componentLogger } = module!;
    const { loadedOtelApi, otelApi } = api!;
    const logs = captureDiag();
    expect(loadedOtelApi()).toBeUndefined();
    logger.warn("before the API", 42);
    componentLogger("arize").info("platform message");
    await otelApi();
    expect(loadedOtelApi()).toBeDefined();
    logger.warn("after the API", 42);
    // The same line either way: namespace, message, arguments.
    expect(logs.messages.filter((line) => line.includes("llmops"))).toEqual(["warn llmops before the API 42", "info llmops:arize platform message", "warn llmops after the API 42"]);
    logs.restore();
  });

  it("logs nothing, and throws nothing, when no diag logger is registered", () => {
    let module: typeof import("../src/internal/logger") | undefined;
    jest.isolateModules(() => {
      module = jest.requireActual<typeof import("../src/internal/logger")>("../src/internal/logger");
    });
    diag.disable();
    expect(() => module!.logger.error("nobody listens")).not.toThrow();
  });
});
