/**
 * What {@link explainTransportError} names in its hints: the section, its key that holds the server's URL, and the
 * server, as the user knows them.
 *
 * @example
 * ```ts
 * const names: TransportNames = { configSection: "acme", endpointKey: "endpoint", server: "the Acme collector" };
 * ```
 */
export interface TransportNames {
  /** The config section, e.g. `acme`. */
  readonly configSection: string;
  /** The section key holding the server's URL, e.g. `endpoint`. */
  readonly endpointKey: string;
  /** The server, for messages, e.g. `the collector`. */
  readonly server: string;
}

/**
 * A hint for an export that failed on the way (TLS, the wrong scheme, nothing listening): which setting to check.
 * Undefined when the error is not a transport error, so the platform's own hints (credentials, routes) can follow.
 * Never contains a secret: it names settings, not their values.
 *
 * @param error - the export error
 * @param params.url - the URL the exporter posts to (its scheme decides the TLS hints)
 * @param params.certificateFile - the section's `certificate_file`, if set
 *
 * @example
 * ```ts
 * explainTransportError(new Error("connect ECONNREFUSED 127.0.0.1:4318"), { configSection: "acme", endpointKey: "endpoint", server: "the collector", url });
 * // "Nothing answered at acme.endpoint: is the collector running, and is acme.endpoint right?"
 * ```
 */
export function explainTransportError(error: Error | undefined, params: TransportNames & { readonly url: string; readonly certificateFile?: string | undefined }): string | undefined {
  const text = `${error?.message ?? ""} ${(error as { code?: unknown } | undefined)?.code ?? ""}`;
  const endpoint = `${params.configSection}.${params.endpointKey}`;
  const certificate = `${params.configSection}.certificate_file`;
  const server = params.server;
  const Server = `${server.charAt(0).toUpperCase()}${server.slice(1)}`;
  if (/certificate|self[- ]signed|UNABLE_TO_VERIFY|CERT_|DEPTH_ZERO/i.test(text)) {
    return params.certificateFile === undefined
      ? `${Server}'s TLS certificate is not trusted: set ${certificate} to the CA that signed it.`
      : `${Server}'s TLS certificate is not trusted by ${certificate}: check that it is the CA that signed ${server}'s certificate.`;
  }
  if (/wrong version number|EPROTO/i.test(text)) return `${endpoint} is https:// but ${server} answered in plain HTTP: use http://, or turn TLS on at ${server}.`;
  if (/socket hang up|ECONNRESET/i.test(text) && !/^https:/i.test(params.url)) {
    return `The connection was closed without an answer: if ${server} serves TLS, ${endpoint} must start with https://.`;
  }
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|UNAVAILABLE/i.test(text)) return `Nothing answered at ${endpoint}: is ${server} running, and is ${endpoint} right?`;
  return undefined;
}
