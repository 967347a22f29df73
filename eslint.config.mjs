// Lint rules from STYLE.md: type-only imports, no floating promises, no console in library code,
// explicit public exports, and the dependency direction of DESIGN.md.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const platformPackages = ["@llmops/platform-*", "@llmops/platform-*/*"];

// Tests share helpers and fixtures through @llmops-internal/test-support (test/support): a relative import that climbs
// out of its own folder into a `test/` folder reaches into another package's tests (or around the support package).
const otherTestFolders = {
  regex: "^(\\.\\./){2,}(.*/)?test/",
  message: "Import shared test helpers and fixtures from @llmops-internal/test-support, never from another package's test folder.",
};
const testFiles = ["packages/*/test/**/*.{ts,mjs,cjs}", "test/**/*.{ts,mjs,cjs}", "e2e/**/*.{ts,mjs,cjs}", "bench/**/*.mjs", "tools/*/test/**/*.mjs"];

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
    },
  },
  {
    files: ["packages/*/src/index.ts"],
    rules: {
      "no-restricted-syntax": ["error", { selector: "ExportAllDeclaration", message: "List public exports by name (STYLE.md)." }],
    },
  },
  {
    // core imports no platform package, ever (DESIGN.md "Direction").
    files: ["packages/core/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ group: platformPackages, message: "core never imports a platform package." }] }],
    },
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
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly", setTimeout: "readonly", clearTimeout: "readonly", Buffer: "readonly", globalThis: "readonly", __dirname: "readonly", require: "readonly", module: "writable", exports: "writable" } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["**/test/**/*.ts", "test/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
);
