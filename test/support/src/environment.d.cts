/** How {@link cleanEnvironment} treats the machine's extra certificate authorities. */
export interface CleanEnvironmentOptions {
  /**
   * Keep `NODE_EXTRA_CA_CERTS`, `SSL_CERT_FILE` and `SSL_CERT_DIR` (default true): a package manager reaching a
   * registry through the machine's proxy needs them. A child whose test decides which certificates are trusted
   * passes false.
   */
  readonly machineTrust?: boolean;
}

/**
 * The environment of a fresh shell for a child process: this process's variables without anything that configures
 * llmops, OpenTelemetry, the platforms or the LLM clients, and without the test runner's own settings; then `extra`.
 *
 * @example
 * ```ts
 * spawn(process.execPath, ["app.cjs"], { env: cleanEnvironment({ LLMOPS_LOG_LEVEL: "ALL" }) });
 * ```
 */
export function cleanEnvironment(extra?: Readonly<Record<string, string>>, options?: CleanEnvironmentOptions): NodeJS.ProcessEnv;
