// Lint rules from STYLE.md: type-only imports, no floating promises, no console in library code,
// explicit public exports, and the dependency direction of DESIGN.md.
import js from "@eslint/js";
import { createNodeResolver, importX } from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";

const platformPackages = ["@llmops/platform-*", "@llmops/platform-*/*"];
const noPlatformPackage = { group: platformPackages, message: "core never imports a platform package." };

// Layers of packages/core/src, from the bottom; a folder imports only from its own layer and the layers below:
//   0. errors/, internal/, helpers/, contract/, version.ts   the error family, private plumbing, public helpers, the Platform contract (types)
//   1. config/, discovery/, privacy/                          locate/load/substitute/validate a config; find installed platforms; PII detectors
//   2. provider/, instrumentors/, platform/ (the OTLP kit)    TracerProvider assembly and exporters; applying instrumentors
//   3. pipeline/                                              instrument(), its handle and lifecycle
//   4. api/, cli/, testing/, tracing/, index.ts               getPlatform, preload, the llmops CLI, the conformance kit, trace(), withSession()
// So the part a caller touches first sits on top, and nothing below it can reach back up: config/, provider/ and
// instrumentors/ never import pipeline/. File-level cycles are caught by import-x/no-cycle.
const coreLayers = [
  ["errors", "internal", "helpers", "contract"],
  ["config", "discovery", "privacy"],
  ["provider", "instrumentors", "platform", "otlp"],
  ["pipeline"],
  ["api", "cli", "testing", "tracing"],
];
const layerRules = coreLayers.slice(0, -1).map((layer, index) => {
  const above = coreLayers.slice(index + 1).flat();
  return {
    files: layer.map((folder) => `packages/core/src/${folder}/**/*.ts`),
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            noPlatformPackage,
            {
              group: above.flatMap((folder) => [`../${folder}`, `../${folder}/*`]),
              message: `Layer ${index} (${layer.join("/, ")}/) imports only its own layer and the ones below: see the layer order at the top of eslint.config.mjs.`,
            },
            { group: ["../index"], message: "The public entry point is the top layer; import what you need from its folder." },
          ],
        },
      ],
    },
  };
});

// Tests share helpers and fixtures through @llmops-internal/test-support (test/support): a relative import that climbs
// out of its own folder into a `test/` folder reaches into another package's tests (or around the support package).
const otherTestFolders = {
  regex: "^(\\.\\./){2,}(.*/)?test/",
  message: "Import shared test helpers and fixtures from @llmops-internal/test-support, never from another package's test folder.",
};
const testFiles = ["packages/*/test/**/*.{ts,mjs,cjs}", "test/**/*.{ts,mjs,cjs}", "e2e/**/*.{ts,mjs,cjs}", "bench/**/*.mjs", "tools/*/test/**/*.mjs"];

/**
 * webpack rewrites `createRequire(<a path known only at run time>)` of a named import into `undefined`; the call through
 * the `node:module` namespace is left alone (core's internal/app-root.ts has `appRequire` and `requireFrom`).
 */
const namedCreateRequire = {
  selector: "ImportDeclaration[source.value=/^(node:)?module$/] > ImportSpecifier[imported.name='createRequire']",
  message: 'Call createRequire through the namespace (import * as nodeModule from "node:module"), or use appRequire/requireFrom: webpack turns a named createRequire into undefined.',
};

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "**/coverage/**", "**/*.d.ts", "bench/results/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["packages/*/src/**/*.ts", "test/fixtures/*/src/**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/consistent-type-imports": "error",
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "no-console": "error",
      "no-restricted-syntax": ["error", namedCreateRequire],
    },
  },
  {
    files: ["packages/*/src/index.ts"],
    rules: {
      "no-restricted-syntax": ["error", { selector: "ExportAllDeclaration", message: "List public exports by name (STYLE.md)." }, namedCreateRequire],
    },
  },
  {
    // core imports no platform package, ever (DESIGN.md "Direction").
    files: ["packages/core/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [noPlatformPackage] }],
    },
  },
  ...layerRules,
  {
    files: ["packages/*/src/**/*.ts"],
    plugins: { "import-x": importX },
    settings: {
      "import-x/extensions": [".ts", ".js", ".mjs", ".cjs"],
      "import-x/parsers": { "@typescript-eslint/parser": [".ts"] },
      "import-x/resolver-next": [createNodeResolver({ extensions: [".ts", ".js", ".mjs", ".cjs", ".json", ".node"] })],
    },
    rules: { "import-x/no-cycle": "error" },
  },
  {
    // Platforms import core and nothing of each other.
    files: ["packages/platform-*/src/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: platformPackages, message: "A platform imports core, never another platform." }] }],
    },
  },
  {
    files: testFiles,
    rules: { "no-restricted-imports": ["error", { patterns: [otherTestFolders] }] },
  },
  {
    // core's tests keep core's own rule as well.
    files: ["packages/core/test/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: platformPackages, message: "core never imports a platform package." }, otherTestFolders] }],
    },
  },
  {
    files: ["**/*.mjs", "**/*.cjs", "**/*.js"],
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        URL: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        Buffer: "readonly",
        globalThis: "readonly",
        __dirname: "readonly",
        require: "readonly",
        module: "writable",
        exports: "writable",
      },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["**/test/**/*.ts", "test/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
);
