// Lint rules from STYLE.md: type-only imports, no floating promises, no console in library code,
// explicit public exports, and the dependency direction of DESIGN.md.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const platformPackages = ["@llmops/platform-*", "@llmops/platform-*/*"];

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
    files: ["**/*.mjs", "**/*.cjs", "**/*.js"],
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly", setTimeout: "readonly", clearTimeout: "readonly", Buffer: "readonly", globalThis: "readonly", __dirname: "readonly", require: "readonly", module: "writable", exports: "writable" } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["**/test/**/*.ts", "test/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
);
