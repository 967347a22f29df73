import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { cleanEnvironment, runProcess } from "@llmops-internal/test-support";
import type { ProcessRun } from "@llmops-internal/test-support";

/** Building and packing the published packages as users get them, for the integration tests that install the tarballs. */

export const repo = join(__dirname, "..", "..", "..");

export interface PackedPackage {
  readonly name: string;
  readonly directory: string;
}

export const corePackage: PackedPackage = { name: "@llmops/core", directory: join(repo, "packages", "core") };
export const acmePackage: PackedPackage = { name: "acme-llmops-platform-acme", directory: join(repo, "test", "fixtures", "acme-llmops-platform-acme") };
export const localPackage: PackedPackage = { name: "@llmops/platform-local", directory: join(repo, "packages", "platform-local") };
export const arizePackage: PackedPackage = { name: "@llmops/platform-arize", directory: join(repo, "packages", "platform-arize") };
export const mlflowPackage: PackedPackage = { name: "@llmops/platform-mlflow", directory: join(repo, "packages", "platform-mlflow") };
export const otlpPackage: PackedPackage = { name: "@llmops/platform-otlp", directory: join(repo, "packages", "platform-otlp") };

/** Runs `command` (in a clean environment unless `env` is given) and throws with its output unless it exited 0. */
export async function runOrThrow(what: string, command: string, args: readonly string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<ProcessRun> {
  const result = await runProcess(command, args, options);
  if (result.code !== 0) {
    throw new Error(`${what} failed (exit ${result.code}): ${command} ${args.join(" ")} in ${options.cwd}\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

/** Newest modification time of the files a build reads. */
function newestSource(directory: string): number {
  let newest = 0;
  const visit = (path: string): void => {
    const stats = statSync(path);
    if (stats.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
    else newest = Math.max(newest, stats.mtimeMs);
  };
  for (const entry of ["src", "package.json", "tsup.config.ts"]) if (existsSync(join(directory, entry))) visit(join(directory, entry));
  return newest;
}

/** True when `dist` exists and is newer than every source file: then the build is skipped (it empties `dist` while other suites read it). */
export function isBuilt(directory: string): boolean {
  const entries = ["index.js", "index.cjs", "index.d.ts", "index.d.cts"].map((file) => join(directory, "dist", file));
  if (!entries.every((file) => existsSync(file))) return false;
  const oldestOutput = Math.min(...entries.map((file) => statSync(file).mtimeMs));
  return oldestOutput >= newestSource(directory);
}

/** Builds `pkg` when its dist is stale, packs it with `pnpm pack` (which rewrites `workspace:` ranges) into a folder of `destination`, and returns the tarball's path. */
export async function buildAndPack(pkg: PackedPackage, destination: string): Promise<string> {
  if (!isBuilt(pkg.directory)) await runOrThrow(`build of ${pkg.name}`, "pnpm", ["--filter", pkg.name, "run", "build"], { cwd: repo, env: cleanEnvironment({ CI: "true" }) });
  const folder = join(destination, pkg.name.replace(/[@/]/g, "_"));
  mkdirSync(folder, { recursive: true });
  await runOrThrow(`pnpm pack of ${pkg.name}`, "pnpm", ["pack", "--pack-destination", folder], { cwd: pkg.directory });
  const tarballs = readdirSync(folder).filter((file) => file.endsWith(".tgz"));
  if (tarballs.length !== 1 || tarballs[0] === undefined) throw new Error(`pnpm pack of ${pkg.name} left ${tarballs.length} tarballs in ${folder}`);
  return join(folder, tarballs[0]);
}

/** core first: the fixture's build reads core's types. Returns tarball paths by package name. */
export async function packAll(destination: string, packages: readonly PackedPackage[] = [corePackage, acmePackage, localPackage]): Promise<Record<string, string>> {
  const tarballs: Record<string, string> = {};
  for (const pkg of packages) tarballs[pkg.name] = await buildAndPack(pkg, destination);
  return tarballs;
}
