import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The fenced code blocks of the repository's Markdown files that a test runs: every `js`, `mjs`, `cjs`, `ts` and `sh`
 * block (and their spelled-out names). A block that cannot run says why on the line before its fence:
 *
 *     <!-- snippet: skip the register entry of a platform package; packed.test.ts runs the real ones -->
 *
 * Any other `snippet:` comment, or a skip without a reason, is an error the test reports.
 */

export type SnippetKind = "esm" | "cjs" | "ts" | "sh";

export interface Snippet {
  /** Repository-relative path of the Markdown file. */
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The fence's language tag. */
  readonly language: string;
  readonly kind: SnippetKind;
  /** The block's text, without the fence's indentation. */
  readonly code: string;
  /** Why the block is not run, when its directive says so. */
  readonly skip?: string;
  /** A directive that is not understood, or a skip without a reason. */
  readonly invalidDirective?: string;
}

const LANGUAGES: Readonly<Record<string, SnippetKind | "js">> = {
  js: "js",
  javascript: "js",
  mjs: "esm",
  cjs: "cjs",
  ts: "ts",
  typescript: "ts",
  mts: "ts",
  sh: "sh",
  bash: "sh",
  shell: "sh",
};

const DIRECTIVE = /^<!--\s*snippet:\s*(.*?)\s*-->$/;

/** The Markdown files of the repository (tracked, and new ones not ignored), changelogs left out. */
export function markdownFiles(repo: string): string[] {
  const listed = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "*.md"], { cwd: repo, encoding: "utf8" });
  return [...new Set(listed.split("\0").filter(Boolean))].filter((file) => !/(^|\/)CHANGELOG\.md$/.test(file) && !file.startsWith(".changeset/") && !file.includes("node_modules/")).sort();
}

/** The runnable blocks of one Markdown text. */
export function extractSnippets(file: string, text: string): Snippet[] {
  const lines = text.split("\n");
  const snippets: Snippet[] = [];
  for (let index = 0; index < lines.length; index++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w+-]*)/.exec(lines[index] ?? "");
    if (open === null) continue;
    const [, indent = "", fence = "```", tag = ""] = open;
    let end = index + 1;
    while (end < lines.length && !new RegExp(`^\\s*${fence[0] === "`" ? "`" : "~"}{${fence.length},}\\s*$`).test(lines[end] ?? "")) end++;
    const body = lines.slice(index + 1, end).map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line.trimStart()));
    const language = tag.toLowerCase();
    const kind = LANGUAGES[language];
    if (kind !== undefined) {
      const code = body.join("\n");
      const resolvedKind: SnippetKind = kind === "js" ? (isCommonJs(code) ? "cjs" : "esm") : kind;
      snippets.push({ file, line: index + 1, language, kind: resolvedKind, code, ...directiveBefore(lines, index) });
    }
    index = end;
  }
  return snippets;
}

/** Every runnable block of the repository's Markdown files. */
export function repositorySnippets(repo: string): Snippet[] {
  return markdownFiles(repo).flatMap((file) => extractSnippets(file, readFileSync(join(repo, file), "utf8")));
}

/** A `js` block that uses `require` or `module.exports` and no `import` statement runs as CommonJS. */
function isCommonJs(code: string): boolean {
  const usesRequire = /\brequire\(|\bmodule\.exports\b/.test(code);
  const usesImport = /^\s*(import|export)\s/m.test(code);
  return usesRequire && !usesImport;
}

function directiveBefore(lines: readonly string[], fenceIndex: number): { skip?: string; invalidDirective?: string } {
  let previous = fenceIndex - 1;
  while (previous >= 0 && (lines[previous] ?? "").trim() === "") previous--;
  const match = DIRECTIVE.exec((lines[previous] ?? "").trim());
  if (match === null) return {};
  const directive = match[1] ?? "";
  const skip = /^skip(?:\s+(.*))?$/.exec(directive);
  if (skip === null) return { invalidDirective: `unknown directive "snippet: ${directive}" (the one directive is "snippet: skip <reason>")` };
  const reason = (skip[1] ?? "").trim();
  if (reason.length < 10) return { invalidDirective: `"snippet: skip" needs a reason of a few words, got "${reason}"` };
  return { skip: reason };
}
