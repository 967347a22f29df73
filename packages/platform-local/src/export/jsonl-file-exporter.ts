import { constants } from "node:fs";
import { lstat, mkdir, open } from "node:fs/promises";
import type { FileHandle } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { diag } from "@opentelemetry/api";
import type { DiagLogger } from "@opentelemetry/api";
import type { ReadableSpan, SpanExporter } from "@llmops/core";
import { asError, EXPORT_FAILED, EXPORT_SUCCESS, messageOf } from "@llmops/core";
import { toSpanRecord } from "./span-record";

/** Modes of what the exporter creates: prompts and answers are personal data, readable by their owner only. */
const FILE_MODE = 0o600;
const DIRECTORY_MODE = 0o700;

/**
 * Read (the last byte, to see that a line ended) and append, create, never through a symlink (`O_NOFOLLOW`), never blocking on a FIFO in the file's place (`O_NONBLOCK`).
 * Windows has neither flag; the `lstat` check before opening stands in there.
 */
const APPEND_FLAGS = constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/** What the first folder the exporter creates holds, so that neither git nor npm picks the traces up. */
const GITIGNORE = "# Written by @llmops/platform-local: traces hold prompts and answers; keep them out of git and packages.\n*\n";

/** The result handed to an exporter's callback (`ExportResult` of `@opentelemetry/core`). */
type ExportResultCallback = Parameters<SpanExporter["export"]>[1];

/** The part of a `FileHandle` the exporter uses. */
export type JsonlFileHandle = Pick<FileHandle, "write" | "read" | "stat" | "truncate" | "close">;

/** The file operations the exporter uses: Node's, unless a test stands in a failing disk. */
export interface JsonlFileSystem {
  readonly mkdir: (path: string, options: { recursive: true; mode: number }) => Promise<string | undefined>;
  readonly lstat: (path: string) => Promise<{ isSymbolicLink(): boolean }>;
  readonly open: (path: string, flags: number, mode: number) => Promise<JsonlFileHandle>;
  readonly writeNew: (path: string, text: string, mode: number) => Promise<void>;
}

const NODE_FILE_SYSTEM: JsonlFileSystem = {
  mkdir: (path, options) => mkdir(path, options),
  lstat: (path) => lstat(path),
  open: (path, flags, mode) => open(path, flags, mode),
  writeNew: async (path, text, mode) => {
    const handle = await open(path, "wx", mode);
    try {
      await handle.writeFile(text, "utf8");
    } finally {
      await handle.close();
    }
  },
};

/** Options of {@link JsonlFileExporter}. */
export interface JsonlFileExporterOptions {
  /** Absolute folder of the files; created on the first write. */
  readonly directory: string;
  /**
   * A folder trusted as it is (the app root). No folder between it and `directory`, nor `directory` itself, may be a
   * symbolic link. Default: only `directory` itself is checked.
   */
  readonly root?: string;
  /** Where write failures are reported. Default: a `diag` component logger `llmops:local`. */
  readonly logger?: DiagLogger;
  /** File operations; tests simulate a full disk with it. Default: `node:fs/promises`. */
  readonly fileSystem?: JsonlFileSystem;
}

/** A path the exporter will not write through; refused with a warning rather than an error. */
class RefusedPath extends Error {}

/**
 * A span exporter that appends one JSON line per span to `<directory>/<YYYY-MM-DD>.jsonl`
 * (the UTC date the span started). Writes are serialized through one promise chain, so lines of
 * two batches never interleave; a failed write fails that export (callback and `diag`), never throws.
 *
 * Files are created `0600` and folders `0700`; the first folder created gets a `.gitignore` of `*`. A symbolic
 * link in place of the folder (or of a folder between it and `root`) or of a daily file is refused, never followed.
 * Every record starts on its own line: a write that fails half-way is rolled back, and a file that does not end in a
 * newline (cut short by a full disk, or by a process killed mid-write) gets one before the next record.
 */
export class JsonlFileExporter implements SpanExporter {
  readonly #directory: string;
  readonly #root: string | undefined;
  readonly #logger: DiagLogger;
  readonly #fileSystem: JsonlFileSystem;
  #pending: Promise<void> = Promise.resolve();
  #directoryReady = false;
  #stopped = false;
  /** While writes keep failing (a full disk, say), only the first failure is an error; the rest are debug lines. */
  #failing = false;

  constructor(options: JsonlFileExporterOptions) {
    this.#directory = resolve(options.directory);
    this.#root = options.root === undefined ? undefined : resolve(options.root);
    this.#logger = options.logger ?? diag.createComponentLogger({ namespace: "llmops:local" });
    this.#fileSystem = options.fileSystem ?? NODE_FILE_SYSTEM;
  }

  /** The folder the files are written to. */
  get directory(): string {
    return this.#directory;
  }

  export(spans: ReadableSpan[], resultCallback: ExportResultCallback): void {
    if (this.#stopped) {
      settle(resultCallback, { code: EXPORT_FAILED, error: new Error("the local JSONL exporter is shut down") });
      return;
    }
    let files: Map<string, string>;
    try {
      files = this.#linesByFile(spans);
    } catch (error) {
      this.#logger.error(`could not serialize ${spans.length} span(s): ${messageOf(error)}`);
      settle(resultCallback, { code: EXPORT_FAILED, error: asError(error) });
      return;
    }
    this.#pending = this.#pending
      .then(() => this.#write(files))
      .then(
        () => {
          this.#failing = false;
          settle(resultCallback, { code: EXPORT_SUCCESS });
        },
        (error: unknown) => {
          this.#directoryReady = false;
          const refused = error instanceof RefusedPath;
          const message = refused ? `${messageOf(error)}; ${spans.length} span(s) not written` : `could not write ${spans.length} span(s) to ${this.#directory}: ${messageOf(error)}`;
          const more = "(further failures are logged at debug level until a write succeeds)";
          if (this.#failing) this.#logger.debug(message);
          else if (refused) this.#logger.warn(`${message} ${more}`);
          else this.#logger.error(`${message} ${more}`);
          this.#failing = true;
          settle(resultCallback, { code: EXPORT_FAILED, error: asError(error) });
        },
      );
  }

  /** Resolves when every write started so far has finished (successfully or not). Never rejects. */
  forceFlush(): Promise<void> {
    return this.#pending;
  }

  /** Waits for pending writes; later exports fail. Never rejects. */
  shutdown(): Promise<void> {
    this.#stopped = true;
    return this.#pending;
  }

  #linesByFile(spans: readonly ReadableSpan[]): Map<string, string> {
    const files = new Map<string, string>();
    for (const span of spans) {
      const record = toSpanRecord(span);
      const file = join(this.#directory, `${record.startTime.slice(0, 10)}.jsonl`); // YYYY-MM-DD of the ISO start time
      files.set(file, `${files.get(file) ?? ""}${JSON.stringify(record)}\n`);
    }
    return files;
  }

  async #write(files: ReadonlyMap<string, string>): Promise<void> {
    if (files.size === 0) return;
    await this.#prepareDirectory();
    for (const [file, text] of files) await this.#append(file, text);
  }

  /**
   * Refuses a symbolic link anywhere from `root` down to the folder (checked before every batch, so a folder swapped
   * for a link later is caught too), then creates what is missing, `0700`.
   */
  async #prepareDirectory(): Promise<void> {
    for (const folder of this.#ownedFolders()) {
      let isLink: boolean;
      try {
        isLink = (await this.#fileSystem.lstat(folder)).isSymbolicLink();
      } catch {
        break; // not there (yet): mkdir creates it, or says why it cannot
      }
      if (isLink) throw new RefusedPath(`refusing to write traces through the symbolic link ${folder}: they hold prompts and answers; point local.directory at a real folder`);
    }
    if (this.#directoryReady) return;
    const created = await this.#fileSystem.mkdir(this.#directory, { recursive: true, mode: DIRECTORY_MODE });
    this.#directoryReady = true;
    if (created === undefined) return;
    try {
      await this.#fileSystem.writeNew(join(created, ".gitignore"), GITIGNORE, FILE_MODE);
    } catch (error) {
      this.#logger.debug(`could not write ${join(created, ".gitignore")}: ${messageOf(error)}`);
    }
  }

  /** `directory` and, when it lies under `root`, every folder between them; top first. */
  #ownedFolders(): string[] {
    const folders = [this.#directory];
    if (this.#root === undefined) return folders;
    const path = relative(this.#root, this.#directory);
    if (path === "" || path === ".." || path.startsWith(`..${sep}`) || isAbsolute(path)) return folders;
    for (let folder = dirname(this.#directory); folder.length > this.#root.length; folder = dirname(folder)) folders.unshift(folder);
    return folders;
  }

  /**
   * Appends `text` so that it starts on a line of its own and, when the write fails half-way, leaves no partial line
   * behind: it is cut back off when nobody else appended meanwhile, and otherwise the next write ends it first.
   */
  async #append(file: string, text: string): Promise<void> {
    const existing = await this.#fileSystem.lstat(file).catch(() => undefined);
    if (existing?.isSymbolicLink() === true) throw refusedFile(file);
    let handle: JsonlFileHandle;
    try {
      handle = await this.#fileSystem.open(file, APPEND_FLAGS, FILE_MODE);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ELOOP" || code === "EMLINK") throw refusedFile(file); // O_NOFOLLOW met a link placed since the lstat
      throw error;
    }
    try {
      const before = await handle.stat();
      if (!before.isFile()) throw new RefusedPath(`refusing to write traces to ${file}: it is not a regular file`);
      const buffer = Buffer.from(`${(await endsInNewline(handle, before.size)) ? "" : "\n"}${text}`, "utf8");
      let written = 0;
      try {
        while (written < buffer.length) {
          const { bytesWritten } = await handle.write(buffer, written, buffer.length - written);
          if (bytesWritten === 0) throw new Error(`no bytes written to ${file}`);
          written += bytesWritten;
        }
      } catch (error) {
        await rollBack(handle, before.size, buffer);
        throw error;
      }
    } finally {
      await handle.close().catch(() => {});
    }
  }
}

/**
 * Whether the file is empty or ends in a newline. Read before every append, not remembered: another process may
 * write to the same daily file, and one pread is cheap next to the write.
 */
async function endsInNewline(handle: JsonlFileHandle, size: number): Promise<boolean> {
  if (size === 0) return true;
  const last = Buffer.alloc(1);
  const { bytesRead } = await handle.read(last, 0, 1, size - 1);
  return bytesRead === 1 && last[0] === 0x0a;
}

/**
 * Cuts a half-written batch back off, only when what follows the old end of the file is a beginning of this batch:
 * another process appending to the same file meanwhile must not lose its lines. Otherwise the partial line stays, and
 * the next write starts with a newline.
 */
async function rollBack(handle: JsonlFileHandle, sizeBefore: number, buffer: Buffer): Promise<void> {
  try {
    const added = (await handle.stat()).size - sizeBefore;
    if (added <= 0 || added > buffer.length) return;
    const tail = Buffer.alloc(added);
    const { bytesRead } = await handle.read(tail, 0, added, sizeBefore);
    if (bytesRead === added && tail.equals(buffer.subarray(0, added))) await handle.truncate(sizeBefore);
  } catch {
    // the next write ends the partial line instead
  }
}

function refusedFile(file: string): RefusedPath {
  return new RefusedPath(`refusing to write traces through the symbolic link ${file}: they hold prompts and answers; remove the link`);
}

/** Calls the SDK's callback; a callback that throws must not break the write chain. */
function settle(resultCallback: ExportResultCallback, result: { code: typeof EXPORT_SUCCESS | typeof EXPORT_FAILED; error?: Error }): void {
  try {
    resultCallback(result as Parameters<ExportResultCallback>[0]);
  } catch {
    // the processor's problem, not ours to rethrow
  }
}
