import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import type { Stats } from "node:fs";
import { messageOf } from "../errors/error-message";

/** What {@link readRegularFile} found. */
export type FileRead = { readonly kind: "text"; readonly text: string } | { readonly kind: "missing" } | { readonly kind: "refused"; readonly reason: string };

/**
 * Reads a file the configuration names, only when it is a regular file of at most `maxBytes`. The file is opened
 * without blocking and checked on the open descriptor: a FIFO (whose reader waits for a writer, forever when there is
 * none), a directory, a socket or a device is refused by its kind, never read; and so is a file swapped for one of
 * those between a check and the read. A file over `maxBytes` is refused by its size, and never more than
 * `maxBytes + 1` bytes are read even when the file grows while it is read.
 *
 * @param path - absolute path of the file
 * @param maxBytes - the largest file accepted
 */
export function readRegularFile(path: string, maxBytes: number): FileRead {
  let descriptor: number;
  try {
    // O_NONBLOCK: opening a FIFO for reading otherwise waits for a writer. It changes nothing for a regular file.
    descriptor = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return { kind: "missing" };
    if (code === "EISDIR") return { kind: "refused", reason: "it is a directory, not a regular file" };
    return { kind: "refused", reason: `it cannot be opened (${code ?? messageOf(error)})` };
  }
  try {
    const stats = fstatSync(descriptor);
    if (!stats.isFile()) return { kind: "refused", reason: `it is ${kindOf(stats)}, not a regular file` };
    if (stats.size > maxBytes) return { kind: "refused", reason: `it is ${stats.size} bytes, over the limit of ${maxBytes} bytes` };
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (;;) {
      const read = readSync(descriptor, buffer, length, buffer.length - length, null);
      if (read === 0) break;
      length += read;
      if (length > maxBytes) return { kind: "refused", reason: `it grew over the limit of ${maxBytes} bytes while it was read` };
    }
    return { kind: "text", text: buffer.toString("utf8", 0, length) };
  } catch (error) {
    return { kind: "refused", reason: `it cannot be read (${(error as NodeJS.ErrnoException).code ?? messageOf(error)})` };
  } finally {
    closeSync(descriptor);
  }
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return "a directory";
  if (stats.isFIFO()) return "a FIFO (named pipe)";
  if (stats.isSocket()) return "a socket";
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return "a device";
  return "not a regular file";
}
