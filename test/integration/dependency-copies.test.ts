import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { cleanEnvironment } from "@llmops-internal/test-support";
import { arizePackage, buildAndPack, corePackage, localPackage, mlflowPackage, repo, runOrThrow } from "./support/pack";

/**
 * The published packages depend on the OpenTelemetry SDK by range, so that npm installs one `@opentelemetry/core` in
 * an app that pins its own `@opentelemetry/sdk-trace-node` of the same minor: every SDK package pins its siblings
 * exactly, so an exact pin of ours that differs from the app's by a patch release installs a second copy (two
 * global error handlers, two sets of `instanceof` classes, twice the load time).
 */

const INSTALL_TIMEOUT_MILLIS = 8 * 60_000;

/** An older minor of the SDK 2.x line than the one the packages depend on. */
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

/** Every installed copy of `name` under `app/node_modules`, nested ones included: "<path> <version>". */
function installedCopies(app: string, name: string): string[] {
  const copies: string[] = [];
  const visitPackage = (directory: string): void => {
    const manifest = join(directory, "package.json");
    if (existsSync(manifest)) {
      const { name: found, version } = JSON.parse(readFileSync(manifest, "utf8")) as { name?: string; version?: string };
      if (found === name) copies.push(`${relative(app, directory)} ${version ?? "?"}`);
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
  return copies.sort();
}

/** The minor ("2.12") of the `@opentelemetry/sdk-trace-node` that core's package.json depends on, whatever the range's form. */
function coreSdkMinor(): string {
  const manifest = JSON.parse(readFileSync(join(repo, "packages", "core", "package.json"), "utf8")) as { dependencies: Record<string, string> };
  const range = manifest.dependencies["@opentelemetry/sdk-trace-node"] ?? "";
  const minor = /(\d+)\.(\d+)\.\d+/.exec(range);
  if (minor === null) throw new Error(`packages/core/package.json: no version in the @opentelemetry/sdk-trace-node range "${range}"`);
  return `${minor[1]}.${minor[2]}`;
}

/**
 * The newest published `@opentelemetry/sdk-trace-node` of `minor`: what an app that pins "the current 2.x" writes, and
 * not necessarily the release the packages were built against.
 */
async function newestOf(minor: string, cwd: string): Promise<string> {
  const result = await runOrThrow("npm view", "npm", ["view", `@opentelemetry/sdk-trace-node@~${minor}.0`, "version", "--json"], { cwd, env: cleanEnvironment() });
  const versions = JSON.parse(result.stdout) as string | string[];
  const newest = Array.isArray(versions) ? versions[versions.length - 1] : versions;
  if (newest === undefined) throw new Error(`no @opentelemetry/sdk-trace-node ${minor}.x is published`);
  return newest;
}

/** A new app that pins `@opentelemetry/sdk-trace-node@sdkVersion` and depends on every tarball, installed by one `npm install`. */
async function installApp(label: string, sdkVersion: string): Promise<string> {
  const app = join(temp ?? "", label);
  mkdirSync(app, { recursive: true });
  const dependencies = {
    "@opentelemetry/api": "1.9.0",
    "@opentelemetry/sdk-trace-node": sdkVersion,
    ...Object.fromEntries(Object.entries(tarballs).map(([name, tarball]) => [name, `file:${tarball}`])),
  };
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: label, version: "1.0.0", private: true, dependencies }, null, 2));
  await runOrThrow(`npm install of ${label}`, "npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], { cwd: app, env: cleanEnvironment() });
  return app;
}

describe("npm install of the tarballs next to an app's own OpenTelemetry SDK", () => {
  it(
    "an app pinning sdk-trace-node of the packages' minor gets one @opentelemetry/core, one sdk-trace-base and one resources",
    async () => {
      const sdkVersion = await newestOf(coreSdkMinor(), temp ?? "");
      const app = await installApp("same-minor-app", sdkVersion);
      expect({
        core: installedCopies(app, "@opentelemetry/core"),
        sdkTraceBase: installedCopies(app, "@opentelemetry/sdk-trace-base"),
        resources: installedCopies(app, "@opentelemetry/resources"),
      }).toEqual({
        core: [`node_modules/@opentelemetry/core ${sdkVersion}`],
        sdkTraceBase: [`node_modules/@opentelemetry/sdk-trace-base ${sdkVersion}`],
        resources: [`node_modules/@opentelemetry/resources ${sdkVersion}`],
      });
    },
    INSTALL_TIMEOUT_MILLIS,
  );

  it(
    `an app pinning sdk-trace-node ${OLDER_MINOR_VERSION} (an older minor) gets two @opentelemetry/core: its own under its SDK, one for every llmops package`,
    async () => {
      const ours = await newestOf(coreSdkMinor(), temp ?? "");
      const app = await installApp("older-minor-app", OLDER_MINOR_VERSION);
      // The app's SDK pins its own core exactly; all of llmops (core, platforms, the exporter's tree) shares the other.
      expect(installedCopies(app, "@opentelemetry/core")).toEqual([
        `node_modules/@opentelemetry/core ${ours}`,
        `node_modules/@opentelemetry/sdk-trace-node/node_modules/@opentelemetry/core ${OLDER_MINOR_VERSION}`,
      ]);
    },
    INSTALL_TIMEOUT_MILLIS,
  );
});
