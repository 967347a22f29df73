import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

const LOCKFILES: ReadonlyArray<readonly [string, string]> = [
  ["pnpm-lock.yaml", "pnpm add"],
  ["yarn.lock", "yarn add"],
  ["bun.lock", "bun add"],
  ["bun.lockb", "bun add"],
  ["package-lock.json", "npm install"],
];

/**
 * The install line for a package, in the app's package manager: the lockfile nearest to the app root
 * (walking up, so a workspace member finds the workspace's lockfile); npm when there is none.
 * For platform authors' `MissingDependencyError` messages.
 *
 * @param packageName - the package to install
 * @param appRoot - the app's root folder (`ProviderContext.appRoot`)
 *
 * @example
 * ```ts
 * installCommand("@opentelemetry/exporter-trace-otlp-grpc", appRoot); // "pnpm add @opentelemetry/exporter-trace-otlp-grpc"
 * ```
 */
export function installCommand(packageName: string, appRoot: string): string {
  return `${addCommand(appRoot)} ${packageName}`;
}

/** The app's package manager's command that adds a package (`pnpm add`, `npm install`...), found by its lockfile. */
export function addCommand(appRoot: string): string {
  let directory = appRoot;
  for (;;) {
    for (const [file, command] of LOCKFILES) {
      if (existsSync(join(directory, file))) return command;
    }
    const parent = dirname(directory);
    if (parent === directory) return "npm install";
    directory = parent;
  }
}
