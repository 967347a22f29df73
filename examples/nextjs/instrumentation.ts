// Next.js runs register() once per server process, before it loads any route: the place to start tracing.
export async function register(): Promise<void> {
  // Only in the Node.js runtime: the Edge runtime has no module hooks, files or OpenTelemetry Node SDK.
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const { instrument } = await import("@llmops/platform-local");
    await instrument();
  }
}
