import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanEnvironment, runProcess } from "@llmops-internal/test-support";
import { arizePackage, buildAndPack, corePackage, localPackage, runOrThrow } from "./support/pack";

/**
 * The peer ranges of the published packages are ones a user's app can meet. An app that already runs the OpenTelemetry
 * SDK (`@opentelemetry/sdk-node`) with an OTLP gRPC exporter of its own version installs the packed tarballs with npm:
 * no ERESOLVE, no peer warning; and arize's gRPC transport then uses the app's exporter.
 */

const INSTALL_TIMEOUT_MILLIS = 8 * 60_000;

/** A recent release of the SDK 2.x line that is not the one the workspace tests with (0.223.x). */
const APP_SDK_LINE = "0.205.0";

let temp: string | undefined;
const tarballs: Record<string, string> = {};

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), "llmops-peers-"));
  for (const pkg of [corePackage, localPackage, arizePackage]) tarballs[pkg.name] = await buildAndPack(pkg, join(temp, "tarballs"));
}, INSTALL_TIMEOUT_MILLIS);

afterAll(() => {
  if (temp !== undefined && process.env.LLMOPS_KEEP_TEMP === undefined) rmSync(temp, { recursive: true, force: true });
});

/** npm's lines about peer dependencies and resolution conflicts. */
function peerTrouble(output: string): string[] {
  return output.split("\n").filter((line) => /ERESOLVE|peer dep|Could not resolve|conflicting peer/i.test(line));
}

describe("npm install of the tarballs next to an app that runs the OpenTelemetry SDK", () => {
  it(
    `adds @llmops/platform-arize to an app with @opentelemetry/sdk-node and exporter-trace-otlp-grpc ${APP_SDK_LINE}: exit 0, no peer warning, the app's exporter is used`,
    async () => {
      const app = join(temp ?? "", "otel-app");
      mkdirSync(app, { recursive: true });
      const dependencies = {
        "@opentelemetry/api": "1.9.0",
        "@opentelemetry/sdk-node": APP_SDK_LINE,
        "@opentelemetry/exporter-trace-otlp-grpc": APP_SDK_LINE,
      };
      writeFileSync(join(app, "package.json"), JSON.stringify({ name: "otel-app", version: "1.0.0", private: true, dependencies }, null, 2));
      const env = cleanEnvironment();
      await runOrThrow("npm install of the app", "npm", ["install", "--no-audit", "--no-fund"], { cwd: app, env });
      const added = await runProcess(
        "npm",
        ["install", "--no-audit", "--no-fund", tarballs["@llmops/core"] ?? "", tarballs["@llmops/platform-arize"] ?? "", tarballs["@llmops/platform-local"] ?? ""],
        { cwd: app, env },
      );
      const output = `${added.stdout}\n${added.stderr}`;
      expect({ code: added.code, trouble: peerTrouble(output) }).toEqual({ code: 0, trouble: [] });

      // Strict mode builds the exporter inside instrument(): the app's 0.2xx gRPC exporter loads and is accepted.
      const script = `
        const { instrument } = require("@llmops/platform-arize");
        const exporter = require("@opentelemetry/exporter-trace-otlp-grpc/package.json").version;
        instrument({ validationMode: "strict", flushOnExit: false, config: { service: { name: "peers" }, arize: { endpoint: "http://127.0.0.1:9", transport: "grpc" } } })
          .then(async (tracing) => {
            const active = tracing.active;
            await tracing.shutdown({ timeoutMillis: 2000 });
            process.stdout.write(JSON.stringify({ active, exporter }));
          });
      `;
      writeFileSync(join(app, "grpc.cjs"), script);
      const started = await runProcess(process.execPath, ["grpc.cjs"], { cwd: app, env: cleanEnvironment({ LLMOPS_LOG_LEVEL: "NONE" }) });
      expect({ code: started.code, stdout: started.stdout, stderr: started.stderr }).toEqual({
        code: 0,
        stdout: JSON.stringify({ active: true, exporter: APP_SDK_LINE }),
        stderr: "",
      });
    },
    INSTALL_TIMEOUT_MILLIS,
  );
});
