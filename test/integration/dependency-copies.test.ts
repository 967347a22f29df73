import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { cleanEnvironment } from "@llmops-internal/test-support";
import { arizePackage, buildAndPack, corePackage, localPackage, mlflowPackage, runOrThrow } from "./support/pack";

/**
 * The published packages bring no OpenTelemetry SDK package of their own (core's build bundles the SDK it runs on):
 * an app without an SDK gets `@opentelemetry/api` alone, and an app that pins its own SDK, of any release, keeps one
 * `@opentelemetry/core` (two copies would mean two global error handlers, two sets of `instanceof` classes, and a peer
 * conflict when the app's SDK is on another line than llmops's).
 */

const INSTALL_TIMEOUT_MILLIS = 8 * 60_000;

/** A release of the SDK 2.x line older than the one core bundles. */
const OLDER_MINOR_VERSION = "2.11.0";

let temp: string | undefined;
const tarballs: Record<string, string> = {};

beforeAll(async () => {
  temp = mkdtempSync(join(tmpdir(), "llmops-copies-"));
  for (const pkg of [corePackage, localPackage, arizePackage, mlflowPackage]) tarballs[pkg.name] = await buildAndPack(pkg, join(temp, "tarballs"));
}, INSTALL_TIMEOUT_MILLIS);

afterAll(() => {
  if (temp !== undefined && process.env.LLMOPS_KEEP_TEMP === undefined) rmSync(temp, { recursive: true, force: true });
});

interface Installed {
  /** The package's folder, relative to the app. */
  readonly path: string;
  readonly name: string;
  readonly version: string;
}

/** Every package installed under `app/node_modules`, nested ones included. */
function installedPackages(app: string): Installed[] {
  const found: Installed[] = [];
  const visitPackage = (directory: string): void => {
    const manifest = join(directory, "package.json");
    if (existsSync(manifest)) {
      const { name, version } = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string; version?: string };
      if (name !== undefined) found.push({ path: relative(app, directory), name, version: version ?? "?" });
    }
    visitModules(join(directory, "node_modules"));
  };
  const visitModules = (directory: string): void => {
    if (!existsSync(directory)) return;
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
      const path = join(directory, entry.name);
      if (entry.name.startsWith("@")) {
        for (const scoped of readdirSync(path, { withFileTypes: true })) if (scoped.isDirectory()) visitPackage(join(path, scoped.name));
      } else visitPackage(path);
    }
  };
  visitModules(join(app, "node_modules"));
  return found;
}

/** Every installed copy of `name` under `app/node_modules`, nested ones included: "<path> <version>". */
function installedCopies(app: string, name: string): string[] {
  return installedPackages(app)
    .filter((installed) => installed.name === name)
    .map((installed) => `${installed.path} ${installed.version}`)
    .sort();
}

/** A new app that depends on every tarball (and pins `@opentelemetry/sdk-trace-node@sdkVersion` when given), installed by one `npm install`. */
async function installApp(label: string, sdkVersion?: string): Promise<string> {
  const app = join(temp ?? "", label);
  mkdirSync(app, { recursive: true });
  const dependencies = {
    "@opentelemetry/api": "1.9.0",
    ...(sdkVersion === undefined ? {} : { "@opentelemetry/sdk-trace-node": sdkVersion }),
    ...Object.fromEntries(Object.entries(tarballs).map(([name, tarball]) => [name, `file:${tarball}`])),
  };
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: label, version: "1.0.0", private: true, dependencies }, null, 2));
  await runOrThrow(`npm install of ${label}`, "npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: app, env: cleanEnvironment() });
  return app;
}

/** Every `@opentelemetry/*` package installed under the app, nested ones included: "<name> <version>". */
function openTelemetryPackages(app: string): string[] {
  return installedPackages(app)
    .filter((installed) => installed.name.startsWith("@opentelemetry/"))
    .map((installed) => `${installed.name} ${installed.version}`)
    .sort();
}

describe("npm install of the tarballs", () => {
  it(
    "in an app without an OpenTelemetry SDK installs @opentelemetry/api alone",
    async () => {
      const app = await installApp("no-sdk-app");
      expect(openTelemetryPackages(app)).toEqual(["@opentelemetry/api 1.9.0"]);
    },
    INSTALL_TIMEOUT_MILLIS,
  );

  it(
    `next to an app pinning sdk-trace-node ${OLDER_MINOR_VERSION} leaves one @opentelemetry/core, the app's`,
    async () => {
      const app = await installApp("own-sdk-app", OLDER_MINOR_VERSION);
      expect(installedCopies(app, "@opentelemetry/core")).toEqual([`node_modules/@opentelemetry/core ${OLDER_MINOR_VERSION}`]);
      expect(installedCopies(app, "@opentelemetry/sdk-trace-base")).toEqual([`node_modules/@opentelemetry/sdk-trace-base ${OLDER_MINOR_VERSION}`]);
    },
    INSTALL_TIMEOUT_MILLIS,
  );
});
