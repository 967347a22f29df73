import { existsSync } from "node:fs";
import * as nodeModule from "node:module";
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
  return requireFrom(join(appRoot, "package.json"));
}

/**
 * A `require` resolving from `file`, as a module at that path would. Called through the `node:module` namespace, not a
 * named `createRequire` import: webpack rewrites a named-import `createRequire(<path known only at run time>)` into
 * `undefined` (it can only resolve a literal), which would leave every caller with no `require` in a webpack bundle.
 */
export function requireFrom(file: string): NodeJS.Require {
  return nodeModule.createRequire(file);
}
