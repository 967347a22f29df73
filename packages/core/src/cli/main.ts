#!/usr/bin/env node
/* eslint-disable no-console -- the CLI's job is to print */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../config/check-config";
import { findAppRoot } from "../internal/app-root";
import { getPlatform, listPlatforms } from "../api/get-platform";
import type { PlatformInfo } from "../api/get-platform";
import { LlmopsError, variableSource } from "../errors/llmops-error";
import { redactSecrets, rememberEnvironmentSecrets } from "../helpers/redact";
import { VERSION } from "../version";
import { messageOf } from "../errors/error-message";
import { costReport, formatCostReport, readSpanLines } from "./trace-costs";

/**
 * Everything the CLI prints goes through these two: scrubbed of every secret known from the environment and the
 * configuration it read (a URL that does not parse, a value quoted in an error), whatever the input.
 */
function print(text: string): void {
  console.log(redactSecrets(text));
}

function printError(text: string): void {
  console.error(redactSecrets(text));
}

const USAGE = `llmops ${VERSION}

Usage:
  llmops platforms                                  list the platforms installed in this app
  llmops validate [--platform <name>] [--config <file>] [--strict]
                                                    run the checks of instrument() without starting it
                                                    (a .js/.cjs/.mjs/.ts config runs its code)
  llmops traces [--dir <folder>]                    cost by session and user from the local platform's JSONL
                                                    files (default: $LLMOPS_LOCAL_DIRECTORY or .llmops/traces)
Options:
  --app-root <dir>   the app's folder (default: nearest package.json)
  -h, --help         this text
  -v, --version      the version`;

/** Runs the CLI; returns the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        platform: { type: "string", short: "p" },
        config: { type: "string", short: "c" },
        "app-root": { type: "string" },
        strict: { type: "boolean" },
        dir: { type: "string" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean", short: "v" },
      },
    });
  } catch (error) {
    printError(`${messageOf(error)}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version === true) {
    print(VERSION);
    return 0;
  }
  const command = positionals[0];
  if (values.help === true || command === undefined) {
    print(USAGE);
    return command === undefined && values.help !== true ? 2 : 0;
  }
  rememberEnvironmentSecrets(process.env);
  const appRoot = values["app-root"] ?? findAppRoot();
  try {
    if (command === "platforms") return platforms(appRoot);
    if (command === "validate") return await validate(appRoot, values.platform, values.config, values.strict === true);
    if (command === "traces") return await traces(resolve(appRoot, values.dir ?? process.env.LLMOPS_LOCAL_DIRECTORY ?? ".llmops/traces"));
  } catch (error) {
    printError(LlmopsError.isInstance(error) ? `${error.name}: ${error.message}` : String(error));
    return 1;
  }
  printError(`Unknown command "${command}".\n\n${USAGE}`);
  return 2;
}

function platforms(appRoot: string): number {
  const found = listPlatforms({ appRoot });
  if (found.length === 0) {
    print(`No llmops platform is installed in ${appRoot}.\nInstall one, e.g.: npm install @llmops/platform-local`);
    return 0;
  }
  const rows = found.map((item) => [item.name, item.packageName, item.version ?? "-", item.source, platformNote(item)]);
  printTable([["NAME", "PACKAGE", "VERSION", "FOUND", ""], ...rows]);
  return 0;
}

function platformNote(item: PlatformInfo): string {
  if (item.status === "broken") return `broken: ${item.problem ?? "unusable"}`;
  if (item.status === "shadowed") return `not used: ${item.conflictsWith[0] ?? "another package"} claims the name first`;
  return item.conflictsWith.length > 0 ? `used; also claimed by ${item.conflictsWith.join(", ")}` : "";
}

async function validate(appRoot: string, name: string | undefined, configPath: string | undefined, strict: boolean): Promise<number> {
  let platformName = name;
  if (platformName === undefined) {
    // A claim another package wins over, and a broken declaration, are no platform to validate.
    const usable = [
      ...new Set(
        listPlatforms({ appRoot })
          .filter((item) => item.status === "ok")
          .map((item) => item.name),
      ),
    ];
    if (usable.length !== 1) {
      printError(`Name the platform with --platform (installed: ${usable.join(", ") || "none"}).`);
      return 2;
    }
    platformName = usable[0] ?? "";
  }
  const platform = await getPlatform(platformName, { appRoot }).load();
  const result = await loadConfig(platform, { appRoot, ...(configPath === undefined ? {} : { configPath }), ...(strict ? { validationMode: "strict" as const } : {}) });
  const where = result.file ?? "no config file (inline defaults and environment only)";
  if (result.ranCode) print(`note: ${result.file ?? ""} is JavaScript or TypeScript: reading it ran its code, as instrument() does.`);
  for (const warning of result.warnings) print(`warning: ${warning}`);
  if (result.issues.length === 0) {
    print(`OK: configuration for platform "${platform.name}" is valid (${where}).`);
    return 0;
  }
  print(`${result.issues.length} ${result.issues.length === 1 ? "issue" : "issues"} in the configuration for platform "${platform.name}" (${where}):`);
  for (const issue of result.issues) {
    const detail = [issue.expected === undefined ? "" : `expected ${issue.expected}`, issue.received === undefined ? "" : `received ${issue.received}`].filter(Boolean).join(", ");
    print(`  - ${issue.path || "(config)"}: ${issue.message}${detail === "" ? "" : ` (${detail})`}${variableSource(issue)}`);
  }
  return 1;
}

async function traces(directory: string): Promise<number> {
  let read;
  try {
    read = await readSpanLines(directory);
  } catch (error) {
    if ((error as { code?: unknown }).code === "ENOENT") {
      print(`No traces in ${directory} yet: the local platform writes them there (local.directory) as the app runs.`);
      return 0;
    }
    printError(`Cannot read traces in ${directory}: ${messageOf(error)}. The local platform writes them there (local.directory); give another folder with --dir.`);
    return 1;
  }
  if (read.files === 0) {
    print(`No .jsonl trace files in ${directory}.`);
    return 0;
  }
  const source = `${read.files} ${read.files === 1 ? "file" : "files"} of ${directory}${read.skipped > 0 ? ` (${read.skipped} lines that are not spans skipped)` : ""}`;
  for (const line of formatCostReport(costReport(read.spans), source)) print(line);
  return 0;
}

function printTable(rows: readonly (readonly string[])[]): void {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
  for (const row of rows)
    print(
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join("  ")
        .trimEnd(),
    );
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    printError(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  },
);
