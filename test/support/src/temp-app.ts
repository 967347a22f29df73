import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** A package to place in a temp app's node_modules: its package.json and other files by relative path. */
export interface FakePackage {
  readonly manifest: Record<string, unknown>;
  readonly files?: Readonly<Record<string, string>>;
}

/** What a temporary app holds besides its package.json. */
export interface TempAppOptions {
  /** Packages written into the app's node_modules (and listed as its dependencies). */
  readonly dependencies?: Readonly<Record<string, FakePackage>>;
  /**
   * Installed packages linked into the app's node_modules (and listed as its dependencies), by name: the folder of
   * each. The link points at the real folder, so the package's own dependencies resolve from pnpm's store.
   */
  readonly links?: Readonly<Record<string, string>>;
  /** Files by path relative to the app's root. */
  readonly files?: Readonly<Record<string, string | Buffer>>;
  /** Fields over the default package.json (`name`, `version`, `dependencies`). */
  readonly manifest?: Record<string, unknown>;
}

/**
 * Creates an app folder under the system temp dir with a package.json and node_modules holding the given packages
 * (written or linked), plus any files; returns its root. Removing it is the caller's job
 * (`rmSync(root, { recursive: true, force: true })`).
 */
export function createTempApp(params: TempAppOptions = {}): string {
  const root = mkdtempSync(join(tmpdir(), "llmops-app-"));
  const dependencies = params.dependencies ?? {};
  const links = params.links ?? {};
  const names = [...Object.keys(dependencies), ...Object.keys(links)];
  const manifest = { name: "temp-app", version: "1.0.0", dependencies: Object.fromEntries(names.map((name) => [name, "*"])), ...params.manifest };
  writeFileSync(join(root, "package.json"), JSON.stringify(manifest, null, 2));
  for (const [name, fake] of Object.entries(dependencies)) {
    const directory = join(root, "node_modules", name);
    mkdirSync(directory, { recursive: true });
    writeFileSync(join(directory, "package.json"), JSON.stringify({ name, version: "1.2.3", ...fake.manifest }, null, 2));
    for (const [path, text] of Object.entries(fake.files ?? {})) writeFile(join(directory, path), text);
  }
  for (const [name, installed] of Object.entries(links)) {
    const link = join(root, "node_modules", name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(realpathSync(installed), link, "dir");
  }
  for (const [path, content] of Object.entries(params.files ?? {})) writeFile(join(root, path), content);
  return root;
}

function writeFile(path: string, content: string | Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}
