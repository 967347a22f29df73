/** @type {import("next").NextConfig} */
const nextConfig = {
  // Loaded from node_modules at run time rather than bundled into the route: llmops patches the client as Node loads
  // it (under the hashed name Turbopack gives it, too), and llmops finds its own dependencies beside it.
  serverExternalPackages: ["openai", "@llmops/core", "@llmops/platform-local"],
};

export default nextConfig;
