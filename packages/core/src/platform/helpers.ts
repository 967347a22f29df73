import { isIP } from "node:net";
import { isAbsolute, resolve } from "node:path";
import type { ConfigIssue } from "../errors/llmops-error";
import { LlmopsError } from "../errors/llmops-error";
import { redactSecrets } from "../internal/redact";
import { readRegularFile } from "../internal/read-file";

/**
 * True when a URL sends what it carries unencrypted to another machine: plain `http:` to a host that is not
 * loopback (`localhost`, `127.0.0.0/8`, `::1`). Platforms warn before sending credentials there. The host is read as
 * an address, not as text: `http://127.evil.example` is a name anyone can point anywhere, so it travels in clear.
 *
 * @param url - the endpoint
 *
 * @example
 * ```ts
 * if (section.api_key !== undefined && travelsInClear(url)) logger.warn("acme.api_key is sent over plain HTTP; use https://.");
 * ```
 */
export function travelsInClear(url: string): boolean {
  const parsed = new URL(url);
  if (parsed.protocol !== "http:") return false;
  return !isLoopback(parsed.hostname.replace(/^\[|\]$/g, "").toLowerCase());
}

/** `localhost`, an IPv4 address in 127.0.0.0/8, `::1`, or 127.0.0.0/8 mapped into IPv6 (`::ffff:7f00:1`). */
function isLoopback(host: string): boolean {
  if (host === "localhost") return true;
  const version = isIP(host);
  if (version === 4) return host.startsWith("127.");
  if (version !== 6) return false;
  if (host === "::1") return true;
  // The URL parser writes a mapped address in hex: ::ffff:7f00:1 is 127.0.0.1.
  return /^::ffff:(127\.|7f[0-9a-f]{2}:)/.test(host);
}

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
  return { path: params.key, message: `cannot read ${path}: ${reason}. Point it at the PEM file of the CA that signed ${params.server}'s certificate.` };
}

/**
 * A URL fit for messages: no user info and no query. Platforms name their endpoint in
 * warnings with it, so a token carried in a URL never reaches a log. Text that does not parse as a URL comes back
 * with its user info and token-ish query values masked.
 *
 * @param url - the endpoint
 *
 * @example
 * ```ts
 * redactUrl("https://user:secret@host:1/v1/traces?token=abc"); // "https://host:1/v1/traces"
 * redactUrl("http://user:secret@bad host/?token=abc"); // "http://[redacted]@bad host/?token=[redacted]"
 * ```
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = "";
    parsed.password = "";
    parsed.search = "";
    return parsed.toString();
  } catch {
    return redactSecrets(url);
  }
}
