import { isAbsolute, resolve } from "node:path";
import type { ConfigIssue } from "../errors/llmops-error";
import { LlmopsError } from "../errors/llmops-error";
import { readRegularFile } from "../internal/read-file";

/**
 * What names a certificate file in the config: the key's value, the app root, the key, and whom the CA vouches for.
 *
 * @example
 * ```ts
 * const params: CertificateFileParams = { file: section.certificate_file, appRoot, key: "acme.certificate_file", server: "the collector" };
 * ```
 */
export interface CertificateFileParams {
  /** The key's value; undefined names nothing. */
  readonly file: string | undefined;
  /** The app's root folder (`ProviderContext.appRoot`); a relative `file` is read from it. */
  readonly appRoot: string;
  /** The dotted key, for the message, e.g. `acme.certificate_file`. */
  readonly key: string;
  /** What the CA vouches for, for the message, e.g. `the collector`. */
  readonly server: string;
  /** What the file should be, for the message, in place of "the PEM file of the CA that signed <server>'s certificate". */
  readonly expected?: string;
}

/**
 * Reads a PEM file named by a config key (relative to the app root, or absolute) as text, the form Node's `ca` TLS
 * options take (a string keeps `@types/node` out of the public types). Only a regular file of at most 1 MiB is read
 * (a FIFO is never opened for a blocking read). A file that cannot be read throws an {@link LlmopsError} naming the
 * key, the resolved path and the reason, and saying what the file should be: the message of
 * {@link checkCertificateFile}'s issue.
 *
 * @param params.file - the key's value; undefined reads nothing
 * @param params.appRoot - the app's root folder (`ProviderContext.appRoot`)
 * @param params.key - the dotted key, for the message, e.g. `acme.certificate_file`
 * @param params.server - what the CA vouches for, for the message, e.g. `the collector`
 *
 * @example
 * ```ts
 * const ca = readCertificateFile({ file: section.certificate_file, appRoot, key: "acme.certificate_file", server: "the collector" });
 * ```
 */
export function readCertificateFile(params: CertificateFileParams): string | undefined {
  const read = readCertificate(params);
  if (read === undefined || typeof read === "string") return read;
  throw new LlmopsError(`${read.path}: ${read.message}`);
}

/**
 * The check `instrument()` and `llmops validate` both run for a certificate file (a platform's `checkConfig`): the
 * issue {@link readCertificateFile} would throw for, or undefined when the file can be read or none is named.
 *
 * @param params.file - the key's value; undefined checks nothing
 * @param params.appRoot - the app's root folder
 * @param params.key - the dotted key, the issue's path, e.g. `acme.certificate_file`
 * @param params.server - what the CA vouches for, for the message, e.g. `the collector`
 *
 * @example
 * ```ts
 * checkConfig({ section, appRoot }) {
 *   const issue = checkCertificateFile({ file: section.certificate_file, appRoot, key: "acme.certificate_file", server: "the collector" });
 *   return issue === undefined ? [] : [issue];
 * }
 * ```
 */
export function checkCertificateFile(params: CertificateFileParams): ConfigIssue | undefined {
  const read = readCertificate(params);
  return read === undefined || typeof read === "string" ? undefined : read;
}

/** The largest certificate file read: a CA bundle is a few hundred kilobytes. */
const MAX_CERTIFICATE_BYTES = 1_048_576;

function readCertificate(params: CertificateFileParams): string | ConfigIssue | undefined {
  if (params.file === undefined) return undefined;
  const path = isAbsolute(params.file) ? params.file : resolve(params.appRoot, params.file);
  const read = readRegularFile(path, MAX_CERTIFICATE_BYTES);
  if (read.kind === "text") return read.text;
  const reason = read.kind === "missing" ? "it does not exist" : read.reason;
  const expected = params.expected ?? `the PEM file of the CA that signed ${params.server}'s certificate`;
  return { path: params.key, message: `cannot read ${path}: ${reason}. Point it at ${expected}.` };
}
