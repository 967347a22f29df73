import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { LlmopsError } from "../errors/llmops-error";

/**
 * True when a URL sends what it carries unencrypted to another machine: plain `http:` to a host that is not
 * loopback (`localhost`, `127.0.0.0/8`, `::1`). Platforms warn before sending credentials there.
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
  const host = parsed.hostname.replace(/^\[|\]$/g, "");
  return !(host === "localhost" || host === "::1" || /^127\./.test(host));
}

/**
 * Reads a PEM file named by a config key (relative to the app root, or absolute) as text, the form Node's `ca` TLS
 * options take (a string keeps `@types/node` out of the public types). A file that cannot be read throws an
 * {@link LlmopsError} naming the key, the resolved path and the reason, and saying what the file should be.
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
export function readCertificateFile(params: { file: string | undefined; appRoot: string; key: string; server: string }): string | undefined {
  if (params.file === undefined) return undefined;
  const path = isAbsolute(params.file) ? params.file : resolve(params.appRoot, params.file);
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new LlmopsError(`${params.key}: cannot read ${path} (${reason}). Point it at the PEM file of the CA that signed ${params.server}'s certificate.`, {
      cause: error,
    });
  }
}

/**
 * A URL fit for messages: no user info and no query. Platforms name their endpoint in
 * warnings with it, so a token carried in a URL never reaches a log.
 *
 * @param url - the endpoint
 *
 * @example
 * ```ts
 * redactUrl("https://user:secret@host:1/v1/traces?token=abc"); // "https://host:1/v1/traces"
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
    return "(invalid URL)";
  }
}
