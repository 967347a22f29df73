import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";

/**
 * The app's root: the nearest folder at or above `start` holding a package.json.
 * `LLMOPS_APP_ROOT` overrides it.
 */
export function findAppRoot(start: string = process.cwd(), env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (env.LLMOPS_APP_ROOT !== undefined && env.LLMOPS_APP_ROOT !== "") return resolve(env.LLMOPS_APP_ROOT);
  let directory = resolve(start);
  for (;;) {
    if (existsSync(join(directory, "package.json"))) return directory;
    const parent = dirname(directory);
    if (parent === directory) return resolve(start);
    directory = parent;
  }
}

/** A `require` resolving from the app's package.json, as the app itself would. */
export function appRequire(appRoot: string): NodeJS.Require {
  return createRequire(join(appRoot, "package.json"));
}
