import { isIP } from "node:net";
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
