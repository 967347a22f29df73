import { AsyncLocalStorage } from "node:async_hooks";

/** Anything that can be ended with an error: a socket. */
interface Destroyable {
  destroy(error?: Error): unknown;
  once(event: "close", listener: () => void): unknown;
}

/**
 * The connections one export opened, so that giving up on the export (its deadline passed, or the process exits)
 * also ends its requests: otherwise a server that answers slowly enough keeps the request, its socket and the
 * exporter's pending promise alive after llmops stopped waiting, and the socket holds the process.
 */
export class ExportScope {
  private readonly connections = new Set<Destroyable>();
  private ended: Error | undefined;

  /** Tracks a connection opened for this export; one opened after the export was given up on is ended at once. */
  track(connection: Destroyable): void {
    if (this.ended !== undefined) {
      const error = this.ended;
      process.nextTick(() => connection.destroy(error));
      return;
    }
    this.connections.add(connection);
    connection.once("close", () => this.connections.delete(connection));
  }

  /** Ends every connection of the export, and any it opens later, with `error` (which the exporter sees). */
  end(error: Error): void {
    this.ended ??= error;
    for (const connection of this.connections) connection.destroy(error);
    this.connections.clear();
  }
}

/**
 * One store per process, behind a `Symbol.for` key: the pipeline runs an export in its scope and the HTTP agent of
 * `@llmops/core/otlp` (a bundle of its own, as are core's ESM and CommonJS builds) reads it, so every copy must see
 * the same store.
 */
const SCOPES_KEY = Symbol.for("llmops.core.exportScopes.v1");
const scopes: AsyncLocalStorage<Pick<ExportScope, "track" | "end">> = ((globalThis as { [SCOPES_KEY]?: AsyncLocalStorage<Pick<ExportScope, "track" | "end">> })[SCOPES_KEY] ??=
  new AsyncLocalStorage());

/** Runs `operation` (an exporter's `export()`) so that the connections it opens, now or later, belong to `scope`. */
export function runInExportScope<T>(scope: ExportScope, operation: () => T): T {
  return scopes.run(scope, operation);
}

/** The export the current code runs for, if any. */
export function currentExportScope(): Pick<ExportScope, "track" | "end"> | undefined {
  return scopes.getStore();
}
