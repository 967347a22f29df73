// A Google ADK app as users write it (ESM): the real @google/adk runs a root agent with a function tool and a
// sub-agent, then a single agent streamed (SSE), against the Gemini stand-in (the scenario of the registry tests'
// fixture). Started with `--import @llmops/platform-<name>/register`, tracing is on from the config file found in the
// working folder (the seed's llmops.yaml), nothing inline; instrument() here hands back that running handle. ADK is
// imported after it, so that an instrumentation of the @google/genai copy ADK loads can patch it.
// Prints one JSON line: tracing state, the reports, what each run saw.
import * as zod from "zod";
import { getPlatform } from "@llmops/core";
import { startGeminiStandIn } from "@llmops-internal/stand-ins";
import scenario from "@llmops-internal/test-support/adk-scenario";

const appRoot = process.cwd();
const standIn = await startGeminiStandIn();
const tracing = await getPlatform(process.env.LLMOPS_E2E_PLATFORM, { appRoot }).instrument({ appRoot, flushOnExit: false });
const adk = await import("@google/adk");
const plain = await scenario.runAdkScenario(adk, zod, standIn);
const streamed = await scenario.runAdkScenario(adk, zod, standIn, { stream: true });
const shutdown = await tracing.shutdown({ timeoutMillis: 20_000 });
await standIn.close();
process.stdout.write(
  `${JSON.stringify({
    active: tracing.active,
    issues: tracing.issues,
    instrumentations: tracing.instrumentations.map(({ key, status, patchedModule }) => ({ key, status, patchedModule })),
    shutdown,
    plain: { answer: plain.answer, sessionId: plain.sessionId },
    streamed: { answer: streamed.answer, sessionId: streamed.sessionId },
    requests: standIn.requests.length,
  })}\n`,
);
