import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ts from "typescript";
import * as core from "@llmops/core";
import { getPlatform, registerPlatform } from "@llmops/core";
import type { InstrumentationHandle } from "@llmops/core";
import { captureDiag, createTempApp } from "@llmops-internal/test-support";
import { resetProcessState } from "@llmops-internal/test-support/process-state";
import { memoryPlatform } from "./helpers";

/**
 * `@traced()` compiled by TypeScript as users compile it: once with the standard decorators (TypeScript 5's default)
 * and once with `experimentalDecorators`, each from its own tsconfig file, type-checked and run.
 */

const SOURCE = `import { getCurrentSpan, traced } from "@llmops/core";

export class WeatherTool {
  constructor(private readonly unit: string) {}

  @traced({ kind: "tool" })
  async forecast(city: string, _days?: number): Promise<string> {
    getCurrentSpan().setMetadata({ city });
    return \`Sunny in \${city} (\${this.unit})\`;
  }

  @traced({ name: "weather-fails", kind: "tool" })
  fail(): never {
    throw new RangeError("no weather");
  }

  @traced()
  static version(): number {
    return 2;
  }
}
`;

const coreIndex = join(__dirname, "..", "src", "index.ts");
const appRoot = createTempApp({ manifest: { name: "decorator-app" } });
let directory: string;

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), "llmops-decorators-"));
  writeFileSync(join(directory, "weather.ts"), SOURCE);
  const base = { target: "ES2022", module: "commonjs", moduleResolution: "node10", strict: true, skipLibCheck: true, types: [], paths: { "@llmops/core": [coreIndex] } };
  writeFileSync(join(directory, "tsconfig.standard.json"), JSON.stringify({ compilerOptions: base, files: ["weather.ts"] }));
  writeFileSync(join(directory, "tsconfig.experimental.json"), JSON.stringify({ compilerOptions: { ...base, experimentalDecorators: true }, files: ["weather.ts"] }));
});

afterAll(() => rmSync(directory, { recursive: true, force: true }));

/** Compiles weather.ts with one tsconfig file; returns its diagnostics and emitted JavaScript. */
function compile(configName: string): { errors: string[]; javascript: string } {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(directory, configName), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
  if (parsed === undefined) throw new Error(`cannot read ${configName}`);
  const program = ts.createProgram(parsed.fileNames, parsed.options);
  const file = program.getSourceFile(join(directory, "weather.ts"));
  if (file === undefined) throw new Error("weather.ts not in the program");
  const errors = ts.getPreEmitDiagnostics(program, file).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
  let javascript = "";
  program.emit(file, (name, text) => {
    if (name.endsWith(".js")) javascript = text;
  });
  return { errors, javascript };
}

/** Runs the emitted CommonJS with `@llmops/core` resolved to the core under test. */
function load(javascript: string): { WeatherTool: new (unit: string) => { forecast(city: string): Promise<string>; fail(): never } & object } {
  const module = { exports: {} as Record<string, unknown> };
  const requireCore = (name: string): unknown => {
    if (name === "@llmops/core") return core;
    throw new Error(`unexpected require(${name})`);
  };
  new Function("require", "module", "exports", javascript)(requireCore, module, module.exports);
  return module.exports as never;
}

describe.each([
  ["standard decorators (TypeScript 5 default)", "tsconfig.standard.json", "WeatherTool.forecast"],
  ["experimentalDecorators", "tsconfig.experimental.json", "WeatherTool.forecast"],
])("@traced() with %s", (_label, configName, forecastName) => {
  let tracing: InstrumentationHandle;
  let exporter: ReturnType<typeof memoryPlatform>["exporter"];

  beforeEach(async () => {
    resetProcessState();
    captureDiag();
    const memory = memoryPlatform();
    exporter = memory.exporter;
    registerPlatform(memory.platform);
    tracing = await getPlatform("memory").instrument({ appRoot, env: {}, flushOnExit: false, config: { service: { name: "decorated" } } });
  });

  afterEach(() => tracing.shutdown());

  it("compiles without errors, and each call of a decorated method records a span, keeping this, length, results and errors", async () => {
    const { errors, javascript } = compile(configName);
    expect(errors).toEqual([]);
    const { WeatherTool } = load(javascript);
    const tool = new WeatherTool("°C");
    expect(tool.forecast.name).toBe("forecast");
    expect(tool.forecast.length).toBe(2);
    await expect(tool.forecast("Lyon")).resolves.toBe("Sunny in Lyon (°C)");
    expect(() => tool.fail()).toThrow(RangeError);
    expect((WeatherTool as unknown as { version(): number }).version()).toBe(2);
    const spans = exporter.getFinishedSpans();
    const forecast = spans.find((span) => span.name === forecastName);
    expect(forecast?.attributes).toEqual(expect.objectContaining({ "openinference.span.kind": "TOOL", "input.value": "Lyon", "output.value": "Sunny in Lyon (°C)", metadata: '{"city":"Lyon"}' }));
    expect(spans.find((span) => span.name === "weather-fails")?.status.code).toBe(2);
    expect(spans.find((span) => span.name === "WeatherTool.version")?.attributes["openinference.span.kind"]).toBe("CHAIN");
  }, 60_000);
});
