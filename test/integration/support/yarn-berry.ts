import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { cleanEnvironment, runProcess } from "@llmops-internal/test-support";

/**
 * Yarn Berry for the tests, without corepack (which downloads Yarn from outside the npm registry): the npm package
 * `@yarnpkg/cli-dist` at an exact version, installed into a cache outside the clone ($XDG_CACHE_HOME or ~/.cache,
 * folder llmops/yarn/<version>) and reused from there, run as `node <cache>/node_modules/@yarnpkg/cli-dist/bin/yarn.js`.
 */
export const YARN_BERRY_VERSION = "4.18.1";

export interface YarnBerry {
  readonly version: string;
  /** `bin/yarn.js` of the installed `@yarnpkg/cli-dist`; run it with `node`. */
  readonly yarnJs: string;
  /** Where Yarn keeps its global cache for these tests (`YARN_GLOBAL_FOLDER`), beside the Yarn versions. */
  readonly globalFolder: string;
  /** What happened: reused from the cache, or installed (and how long it took). */
  readonly note: string;
}

function cacheRoot(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg !== undefined && xdg !== "" ? xdg : join(homedir(), ".cache"), "llmops", "yarn");
}

function yarnJsIn(prefix: string): string {
  return join(prefix, "node_modules", "@yarnpkg", "cli-dist", "bin", "yarn.js");
}

function versionOf(yarnJs: string): string | undefined {
  if (!existsSync(yarnJs)) return undefined;
  const result = spawnSync(process.execPath, [yarnJs, "--version"], { encoding: "utf8", env: cleanEnvironment(), cwd: dirname(yarnJs) });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** Yarn `version` from the cache, installing it with npm first when it is not there. Throws when it cannot be installed: never a silent skip. */
export async function ensureYarnBerry(version: string = YARN_BERRY_VERSION): Promise<YarnBerry> {
  const root = cacheRoot();
  const prefix = join(root, version);
  const globalFolder = join(root, "global");
  const yarnJs = yarnJsIn(prefix);
  if (versionOf(yarnJs) === version) return { version, yarnJs, globalFolder, note: `Yarn ${version} reused from ${prefix}` };

  // Installed into a folder of its own, then renamed into place, so a concurrent run never sees half an install.
  mkdirSync(root, { recursive: true });
  const staging = `${prefix}.staging-${process.pid}-${Date.now()}`;
  try {
    const result = await runProcess("npm", ["install", "--prefix", staging, "--no-save", "--no-package-lock", "--no-audit", "--no-fund", "--loglevel=error", `@yarnpkg/cli-dist@${version}`], {
      cwd: root,
    });
    const installed = versionOf(yarnJsIn(staging));
    if (result.code !== 0 || installed !== version) {
      throw new Error(
        `Could not install Yarn ${version} (npm install @yarnpkg/cli-dist@${version} exited ${result.code}; its yarn.js reports ${installed ?? "nothing"}).\n` + `${result.stdout}\n${result.stderr}`,
      );
    }
    if (versionOf(yarnJs) !== version) {
      rmSync(prefix, { recursive: true, force: true });
      try {
        renameSync(staging, prefix);
      } catch (error) {
        // Another run put it in place meanwhile: use theirs.
        if (versionOf(yarnJs) !== version) throw error;
      }
    }
    return { version, yarnJs, globalFolder, note: `Yarn ${version} installed into ${prefix} in ${(result.millis / 1000).toFixed(1)} s` };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
