import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** The gRPC exporter the platform loads from the app. */
export const GRPC_EXPORTER = "@opentelemetry/exporter-trace-otlp-grpc";

/** A temporary app folder. */
export interface TempApp {
  readonly root: string;
  remove(): void;
}

/**
 * Creates an app folder under the system temp dir with a package.json and, when asked, a
 * `node_modules/@opentelemetry/exporter-trace-otlp-grpc` symlink to the copy installed for this package (so that
 * `createRequire(<app>/package.json)` resolves it, and its own dependencies resolve from pnpm's store), plus any files.
 */
export function createTempApp(options: { grpcExporter?: boolean; files?: Readonly<Record<string, string | Buffer>> } = {}): TempApp {
  const root = mkdtempSync(join(tmpdir(), "llmops-arize-app-"));
  const dependencies: Record<string, string> = {};
  if (options.grpcExporter === true) {
    const installed = join(__dirname, "..", "..", "node_modules", ...GRPC_EXPORTER.split("/"));
    if (!existsSync(installed)) throw new Error(`${GRPC_EXPORTER} is not installed at ${installed}; run pnpm install.`);
    const link = join(root, "node_modules", ...GRPC_EXPORTER.split("/"));
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(realpathSync(installed), link, "dir");
    dependencies[GRPC_EXPORTER] = "*";
  }
  writeFileSync(join(root, "package.json"), JSON.stringify({ name: "arize-transport-test-app", version: "1.0.0", private: true, dependencies }, null, 2));
  for (const [path, content] of Object.entries(options.files ?? {})) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}
