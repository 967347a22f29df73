/** @jest-config-loader ts-node */
import { join } from "node:path";
import type { Config } from "jest";

/** ts-jest compiles the TypeScript sources to CommonJS for jest; type checking is `pnpm typecheck`'s job. */
const transform: Config["transform"] = {
  "^.+\\.tsx?$": [
    "ts-jest",
    {
      tsconfig: {
        module: "commonjs",
        moduleResolution: "node10",
        verbatimModuleSyntax: false,
        isolatedModules: true,
        esModuleInterop: true,
        target: "ES2022",
        types: ["node", "jest"],
      },
    },
  ],
};

/** Every project takes the shared test support from its sources (it has no build). */
const testSupport: Config["moduleNameMapper"] = {
  "^@llmops-internal/test-support$": join(__dirname, "test", "support", "src", "index.ts"),
  "^@llmops-internal/test-support/otlp-decode$": join(__dirname, "test", "support", "src", "otlp-decode.cjs"),
  "^@llmops-internal/test-support/environment$": join(__dirname, "test", "support", "src", "environment.cjs"),
  "^@llmops-internal/test-support/process-state$": join(__dirname, "test", "support", "src", "process-state.ts"),
};

/** Unit tests run against `src`: the workspace packages map to their sources. */
const moduleNameMapper: Config["moduleNameMapper"] = {
  ...testSupport,
  "^@llmops/core$": "<rootDir>/../core/src/index.ts",
  "^@llmops/core/testing$": "<rootDir>/../core/src/testing/index.ts",
  "^@llmops/core/otlp$": "<rootDir>/../core/src/otlp/index.ts",
  "^@llmops/platform-local$": "<rootDir>/../platform-local/src/index.ts",
  "^@llmops/platform-arize$": "<rootDir>/../platform-arize/src/index.ts",
  "^@llmops/platform-mlflow$": "<rootDir>/../platform-mlflow/src/index.ts",
  "^@llmops/platform-otlp$": "<rootDir>/../platform-otlp/src/index.ts",
};

function unitProject(name: string): Config {
  return {
    displayName: name,
    rootDir: join(__dirname, "packages", name),
    testMatch: ["<rootDir>/test/**/*.test.ts"],
    testEnvironment: "node",
    transform,
    moduleNameMapper,
  };
}

const config: Config = {
  projects: [
    unitProject("core"),
    unitProject("platform-local"),
    unitProject("platform-arize"),
    unitProject("platform-mlflow"),
    unitProject("platform-otlp"),
    unitProject("instrumentation-google-genai"),
    {
      // Integration tests run against the built `dist` and packed tarballs, in child processes.
      displayName: "integration",
      rootDir: join(__dirname, "test", "integration"),
      testMatch: ["<rootDir>/**/*.test.ts"],
      testEnvironment: "node",
      transform,
      moduleNameMapper: testSupport,
    },
    {
      // Against real Arize Phoenix and MLflow servers (e2e/README.md): pinned PyPI releases in venvs cached outside
      // the clone, started on free loopback ports. A cold venv install takes minutes; the setup hooks allow for it.
      displayName: "e2e",
      rootDir: join(__dirname, "e2e"),
      testMatch: ["<rootDir>/**/*.test.ts"],
      testPathIgnorePatterns: ["/node_modules/"],
      testEnvironment: "node",
      testTimeout: 120_000,
      transform,
      moduleNameMapper: testSupport,
    },
  ],
};

export default config;
