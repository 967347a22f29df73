// The platform against @llmops/core's conformance kit, from the built package (run `npm run build` first): the contract,
// the schema, and the package as an app installs it (its llmops field, discovery, a light import, a span exported to
// the kit's receiver, permissive mode, a refused export counted, no secret printed).
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { checkPlatform } from "@llmops/core/testing";
import { platform } from "../dist/index.js";

const packageDirectory = join(dirname(fileURLToPath(import.meta.url)), "..");

test("keeps the llmops platform contract", { timeout: 120_000 }, async () => {
  const report = await checkPlatform(platform, {
    sampleSection: { endpoint: "http://127.0.0.1:4318", api_key: "template-key-123456" },
    brokenSection: { endpoint: "not a url" },
    sectionFor: (endpoint) => ({ endpoint, api_key: "template-key-123456" }),
    packageDirectory,
  });
  assert.deepEqual(report.problems, []);
});
