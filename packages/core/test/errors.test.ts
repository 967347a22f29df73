import { ConfigurationError, LlmopsError, MissingDependencyError, PlatformConflictError, PlatformNotFoundError } from "@llmops/core";

describe("errors", () => {
  it("keeps stable names, the cause, and isInstance across the hierarchy", () => {
    const cause = new Error("underneath");
    const error = new MissingDependencyError({ message: "needs x", packageName: "x", installCommand: "npm install x", cause });
    expect(error.name).toBe("MissingDependencyError");
    expect(error.cause).toBe(cause);
    expect(error.message).toContain("Install with: npm install x");
    expect(LlmopsError.isInstance(error)).toBe(true);
    expect(MissingDependencyError.isInstance(error)).toBe(true);
    expect(ConfigurationError.isInstance(error)).toBe(false);
    expect(error).toBeInstanceOf(Error);
  });

  it("recognises an error made by another copy of core through the process-wide marker", () => {
    const foreign = new Error("from another copy");
    Object.defineProperty(foreign, Symbol.for("llmops.error.kinds"), { value: new Set(["LlmopsError", "ConfigurationError"]) });
    expect(ConfigurationError.isInstance(foreign)).toBe(true);
    expect(PlatformConflictError.isInstance(foreign)).toBe(false);
    expect(LlmopsError.isInstance({})).toBe(false);
    expect(LlmopsError.isInstance(null)).toBe(false);
  });

  it("lets a package outside core define an error kind that isInstance recognises, also when another copy made it", () => {
    const kind = "@acme/llmops-platform-acme/UploadError";
    class UploadError extends LlmopsError {
      constructor(message: string) {
        super(message);
        this.name = "UploadError";
        LlmopsError.markKind(this, kind);
      }
      static override isInstance(error: unknown): error is UploadError {
        return LlmopsError.hasMarker(error, kind);
      }
    }
    const error = new UploadError("upload refused");
    expect(UploadError.isInstance(error)).toBe(true);
    expect(LlmopsError.isInstance(error)).toBe(true);
    expect(UploadError.isInstance(new LlmopsError("other"))).toBe(false);
    expect(ConfigurationError.isInstance(error)).toBe(false);
    // Made by another copy of the platform package: a different class, the same process-wide marker.
    const foreign = new Error("from another copy");
    Object.defineProperty(foreign, Symbol.for("llmops.error.kinds"), { value: new Set(["LlmopsError", kind]) });
    expect(UploadError.isInstance(foreign)).toBe(true);
  });

  it("lists every configuration issue with path, expectation and file", () => {
    const error = new ConfigurationError([
      { path: "service.name", message: "is required", expected: "string", received: "nothing", file: "/app/llmops.yaml" },
      { path: "arize.transport", message: "unknown transport", expected: '"http" | "grpc"', received: '"udp"' },
    ]);
    expect(error.message).toContain("2 issues");
    expect(error.message).toContain("service.name: is required (expected string, received nothing) [/app/llmops.yaml]");
    expect(error.message).toContain('arize.transport: unknown transport (expected "http" | "grpc", received "udp")');
    expect(error.issues).toHaveLength(2);
  });

  it("names the variable a value came from: alone for an override, with the file for a ${VAR} reference", () => {
    const error = new ConfigurationError([
      { path: "arize.endpoint", message: "must start with http:// or https://", received: "[redacted]", variable: "ARIZE_COLLECTOR_ENDPOINT" },
      { path: "arize.space_id", message: "must not be empty", received: "[redacted]", file: "/app/llmops.yaml", variable: "ARIZE_SPACE_ID" },
    ]);
    expect(error.message).toContain("  - arize.endpoint: must start with http:// or https:// (received [redacted]) (from ARIZE_COLLECTOR_ENDPOINT)\n");
    expect(error.message).toMatch(/ {2}- arize\.space_id: must not be empty \(received \[redacted\]\) \(from ARIZE_SPACE_ID, referenced in \/app\/llmops\.yaml\)$/);
    expect(error.issues.map((issue) => issue.variable)).toEqual(["ARIZE_COLLECTOR_ENDPOINT", "ARIZE_SPACE_ID"]);
  });

  it("names the platforms found and the install line when a platform is missing", () => {
    const error = new PlatformNotFoundError({ platformName: "arize", available: ["local"], packageName: "@llmops/platform-arize", installCommand: "pnpm add @llmops/platform-arize" });
    expect(error.message).toContain('No llmops platform named "arize"');
    expect(error.message).toContain("found: local");
    expect(error.message).toContain("pnpm add @llmops/platform-arize");
    expect(MissingDependencyError.isInstance(error)).toBe(true);
  });
});
