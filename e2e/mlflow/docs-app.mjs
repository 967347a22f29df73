// An app that reads its config the way users do (the file named by LLMOPS_CONFIG_PATH), in strict mode: it ends one
// span, shuts down, and prints one JSON line. The MLflow e2e test points it at the config of docs/platforms/mlflow.md.
// An ES module app with the clients installed hands them in, as docs/getting-started.md shows.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { trace } from "@opentelemetry/api";
import { getPlatform } from "@llmops/core";
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";
import * as langchainCallbacks from "@langchain/core/callbacks/manager";
import * as googleGenai from "@google/genai";

const appRoot = join(dirname(fileURLToPath(import.meta.url)), "..");
const tracing = await getPlatform("mlflow", { appRoot }).instrument({
  appRoot,
  validationMode: "strict",
  flushOnExit: false,
  modules: { openai: OpenAI, anthropic: Anthropic, langchainCallbacks, google_genai: googleGenai },
});
trace.getTracer("llmops-e2e-docs").startSpan("docs-config").end();
const shutdown = await tracing.shutdown({ timeoutMillis: 20_000 });
process.stdout.write(`${JSON.stringify({ active: tracing.active, issues: tracing.issues, configFile: tracing.configFile ?? null, shutdown })}\n`);
