import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { isAbsolute, resolve } from "node:path";
import { LlmopsError } from "../errors/llmops-error";
import { redactSecrets } from "../internal/redact";

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
