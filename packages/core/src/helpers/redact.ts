const SECRET_KEY = /(api[_-]?key|token|secret|password|passwd|authorization|credential|headers?|cookie|private|space[_-]?id|username|salt)/i;

/** Query parameter names whose values are credentials in practice (`?token=`, `?api_key=`, `?sig=`, `?X-Amz-Signature=`). */
const SECRET_QUERY_NAME = /(key|token|secret|pass|pwd|auth|sig|credential|session|cookie|private|jwt|bearer|code)/i;

/** What replaces a secret in every message. */
export const REDACTED = "[redacted]";

/**
 * Values shorter than this are not scrubbed by value: blanking every `abc` out of messages would make them unreadable
 * while protecting nothing a guess would not find. URL user info and token-ish query values are masked whatever their length.
 */
const MIN_SECRET_LENGTH = 4;

/** Words a credential-named setting may hold that are switches, not secrets (`SOME_TOKEN_CACHE=true`). */
const COMMON_WORD = /^(true|false|yes|no|on|off|none|null|undefined|\d+)$/i;

/** A `${VAR}` not substituted yet: its name is what messages about it must show. */
const VARIABLE_REFERENCE = /^\$\{[^}]*\}$/;

/** At most this many values (with their encoded forms) are kept; the oldest go first. */
const MAX_SECRETS = 1024;

/** How deep, and how many nodes of, a configuration is walked for secrets: a hostile file cannot make this slow. */
const MAX_WALK_DEPTH = 32;
const MAX_WALK_NODES = 10_000;

/** Process-wide, so that every copy of core scrubs the secrets any copy has seen. */
const STORE_KEY = Symbol.for("llmops.core.secrets.v1");

interface SecretStore {
  readonly values: Set<string>;
  pattern: RegExp | undefined;
}

function store(): SecretStore {
  const holder = globalThis as { [STORE_KEY]?: SecretStore };
  holder[STORE_KEY] ??= { values: new Set(), pattern: undefined };
  return holder[STORE_KEY];
}

/** True when a dotted key path may hold a secret, e.g. `arize.api_key` or `mlflow.headers.x-auth`. */
export function isSecretPath(path: string): boolean {
  return SECRET_KEY.test(path);
}

/** A short, printable description of a configuration value; secrets print as `[redacted]`, and no known secret survives. */
export function describeValue(value: unknown, secret: boolean): string {
  if (secret) return REDACTED;
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  // Scrubbed before it is cut short: a cut could leave the first half of a secret that no longer matches in full.
  if (typeof value === "string") return truncate(JSON.stringify(redactSecrets(value)));
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "object") return "an object";
  return typeof value;
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}..."` : text;
}

function base64(text: string, alphabet: "base64" | "base64url"): string {
  return Buffer.from(text, "utf8").toString(alphabet);
}

/**
 * Remembers a secret so that no message llmops emits carries it: the value itself, its URL-encoded, JSON-escaped and
 * base64 forms (a basic-auth header, a token echoed in a URL). Remembered for the life of the process.
 *
 * @param value - a credential value, e.g. an API key
 */
export function rememberSecret(value: string): void {
  if (value.length < MIN_SECRET_LENGTH || COMMON_WORD.test(value) || VARIABLE_REFERENCE.test(value)) return;
  const encoded = base64(value, "base64");
  const forms = new Set([
    value,
    encodeURIComponent(value),
    // As a query string or form body writes it (a space as `+`).
    new URLSearchParams({ v: value }).toString().slice(2),
    JSON.stringify(value).slice(1, -1),
    // Padded, so that `Basic <base64>` is scrubbed whole; unpadded, a prefix of it, for where the padding was cut.
    encoded,
    encoded.replace(/=+$/, ""),
    base64(value, "base64url").replace(/=+$/, ""),
  ]);
  const { values } = store();
  let added = false;
  for (const form of forms) {
    if (form.length < MIN_SECRET_LENGTH || values.has(form)) continue;
    values.add(form);
    added = true;
  }
  if (!added) return;
  while (values.size > MAX_SECRETS) values.delete(values.values().next().value as string);
  store().pattern = undefined;
}

/** Remembers a user name and password pair: each, and the `user:password` string basic auth encodes. */
function rememberCredentialPair(username: string, password: string): void {
  rememberSecret(username);
  rememberSecret(password);
  rememberSecret(`${username}:${password}`);
}

function decoded(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * `scheme://` then the user info, parseable or not: up to the last `@` before the path, or, when a `user:` comes
 * first, up to the last `@` before a space (a password with a `/` in it makes the rest a path to a URL parser, and is
 * a secret all the same). `https://registry.npmjs.org/@scope/name` has no user info.
 */
const USERINFO = /([a-z][a-z0-9+.-]*:\/\/)([^\s/?#"'<>]*|[^\s/?#"'<>:]*:[^\s"'<>]*)@/gi;
/** The user info as a URL parser sees it (no `/`, `?` or `#`): what is remembered, so a host is never taken for a secret. */
const AUTHORITY_USERINFO = /([a-z][a-z0-9+.-]*:\/\/)([^\s/?#"'<>]*)@/gi;
/** A query parameter, name and value. */
const QUERY_PARAMETER = /([?&;])([^=&#\s"'<>?;]+)=([^&#\s"'<>;]*)/g;

/**
 * Remembers the credentials a URL carries, parseable or not: the user info (and its basic-auth form, which Node sends
 * for it) and the values of token-ish query parameters.
 */
function rememberUrlSecrets(text: string): void {
  if (!text.includes("://") && !text.includes("?")) return;
  for (const match of text.matchAll(AUTHORITY_USERINFO)) {
    const userinfo = match[2] ?? "";
    const colon = userinfo.indexOf(":");
    if (colon < 0) {
      rememberSecret(userinfo);
      rememberSecret(decoded(userinfo));
    } else {
      rememberCredentialPair(userinfo.slice(0, colon), userinfo.slice(colon + 1));
      rememberCredentialPair(decoded(userinfo.slice(0, colon)), decoded(userinfo.slice(colon + 1)));
    }
  }
  for (const match of text.matchAll(QUERY_PARAMETER)) {
    if (!SECRET_QUERY_NAME.test(match[2] ?? "")) continue;
    rememberSecret(match[3] ?? "");
    rememberSecret(decoded(match[3] ?? ""));
  }
}

/**
 * Remembers every credential a configuration holds: values under secret-looking keys (`api_key`, `token`, `password`,
 * `headers.*`, `space_id`…), a `username`/`password` pair as basic auth encodes it, and what any URL-looking value
 * carries in its user info or token-ish query parameters, parseable or not.
 *
 * @param config - the configuration after substitution and environment overrides
 */
export function rememberConfigSecrets(config: unknown): void {
  // No "seen" set: a node shared through a YAML alias may sit under a secret key in one place only. The caps bound a
  // cycle or an alias bomb all the same.
  let nodes = 0;
  const walk = (value: unknown, path: string, depth: number): void => {
    if (++nodes > MAX_WALK_NODES || depth > MAX_WALK_DEPTH) return;
    if (typeof value === "string") {
      if (isSecretPath(path)) rememberSecret(value);
      rememberUrlSecrets(value);
      return;
    }
    if (typeof value !== "object" || value === null) return;
    const record = value as Record<string, unknown>;
    const username = record.username ?? record.user;
    if (typeof username === "string" && typeof record.password === "string") rememberCredentialPair(username, record.password);
    for (const [key, item] of Object.entries(record)) walk(item, path === "" ? key : `${path}.${key}`, depth + 1);
  };
  walk(config, "", 0);
}

/** The login name the shell sets: who runs the process, not a credential (scrubbing `root` would blank out paths). */
const SYSTEM_VARIABLE = /^(USERNAME|LOGNAME|USER)$/i;

/** Variables named like a header list (`OTEL_EXPORTER_OTLP_HEADERS`): `k1=v1,k2=v2`, each value a secret. */
const HEADERS_VARIABLE = /HEADERS$/i;

/**
 * Remembers the credentials an environment holds: the values of variables named like credentials
 * (`*_API_KEY`, `*_TOKEN`, `*_PASSWORD`, `*_HEADERS`, `*_SPACE_ID`…, each header of a header list), a
 * `*_USERNAME`/`*_PASSWORD` pair as basic auth encodes it, and what URL-looking values carry.
 *
 * @param env - the environment llmops reads
 */
export function rememberEnvironmentSecrets(env: Readonly<Record<string, string | undefined>>): void {
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || value === "") continue;
    rememberUrlSecrets(value);
    if (!isSecretPath(name) || SYSTEM_VARIABLE.test(name)) continue;
    rememberSecret(value);
    if (HEADERS_VARIABLE.test(name)) {
      for (const pair of value.split(",")) {
        const index = pair.indexOf("=");
        if (index <= 0) continue;
        rememberSecret(pair.slice(index + 1).trim());
        rememberSecret(decoded(pair.slice(index + 1).trim()));
      }
    }
    const pairMatch = /^(.*_)USERNAME$/i.exec(name);
    const password = pairMatch === null ? undefined : env[`${pairMatch[1] ?? ""}PASSWORD`];
    if (password !== undefined && password !== "") rememberCredentialPair(value, password);
  }
}

function escapeForPattern(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function secretPattern(): RegExp | undefined {
  const current = store();
  if (current.pattern === undefined && current.values.size > 0) {
    // Longest first: a basic-auth string is scrubbed whole, not around the password inside it.
    const alternatives = [...current.values].sort((a, b) => b.length - a.length).map(escapeForPattern);
    current.pattern = new RegExp(alternatives.join("|"), "g");
  }
  return current.pattern;
}

/**
 * Scrubs a message before it leaves llmops: every secret of the configuration and the environment llmops read (in
 * every form it travels in: as is, URL-encoded, base64 as in basic auth) becomes `[redacted]`, as do the user info of
 * any URL and the values of token-ish query parameters, known or not. With `maxLength`, the result is then cut to that
 * many characters, so text from a server is quoted, never dumped. llmops's logger, its errors, `stats()`, flush
 * results and the CLI apply it already; a platform uses it when it builds a message from a server's answer.
 *
 * @param text - the message
 * @param options.maxLength - cut the scrubbed text to this length
 *
 * @example
 * ```ts
 * import { redactSecrets } from "@llmops/core";
 * const detail = redactSecrets(String(body.message), { maxLength: 200 }); // a server may echo the request's token
 * ```
 */
export function redactSecrets(text: string, options: { readonly maxLength?: number } = {}): string {
  const pattern = secretPattern();
  let result = pattern === undefined ? text : text.replace(pattern, REDACTED);
  result = result.replace(USERINFO, `$1${REDACTED}@`);
  result = result.replace(QUERY_PARAMETER, (whole, separator: string, name: string) => (SECRET_QUERY_NAME.test(name) ? `${separator}${name}=${REDACTED}` : whole));
  if (options.maxLength !== undefined && result.length > options.maxLength) result = `${result.slice(0, Math.max(0, options.maxLength - 1))}…`;
  return result;
}

/** Scrubs every string field of a flat record (a config issue, a flush result), keeping its shape. */
export function redactFields<T extends object>(record: T): T {
  const copy = { ...record } as Record<string, unknown>;
  for (const [key, value] of Object.entries(copy)) if (typeof value === "string") copy[key] = redactSecrets(value);
  return copy as T;
}

/** Forgets every remembered secret (tests). */
export function forgetSecrets(): void {
  store().values.clear();
  store().pattern = undefined;
}
