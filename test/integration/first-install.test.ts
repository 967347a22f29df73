import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { cleanEnvironment, runProcess } from "@llmops-internal/test-support";
import { repo, runOrThrow } from "./support/pack";

/**
 * A newcomer's first command, `pnpm install` in a fresh clone, prints no warning: every bin links (core's `llmops`
 * is a file that exists before any build) and no dependency's build script is left undecided. Run in a copy of the
 * workspace's files (tracked and new, without node_modules or build output), offline, from the store the workspace's
 * own install filled.
 */

const INSTALL_TIMEOUT_MILLIS = 5 * 60_000;

let copy: string | undefined;

afterAll(() => {
  if (copy !== undefined && process.env.LLMOPS_KEEP_TEMP === undefined) rmSync(copy, { recursive: true, force: true });
});

describe("pnpm install in a fresh clone", () => {
  it(
    "prints no warning: no failed bin, no ignored build scripts box; core's bin is linked and says what to do before a build",
    async () => {
      copy = mkdtempSync(join(tmpdir(), "llmops-first-install-"));
      const listed = await runOrThrow("git ls-files", "git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: repo });
      for (const file of listed.stdout.split("\0").filter(Boolean)) {
        // A file deleted in the working tree is still listed as cached.
        if (!existsSync(join(repo, file))) continue;
        mkdirSync(dirname(join(copy, file)), { recursive: true });
        copyFileSync(join(repo, file), join(copy, file));
      }
      const result = await runProcess("pnpm", ["install", "--frozen-lockfile", "--offline", "--reporter=append-only"], { cwd: copy, env: cleanEnvironment({ CI: "true" }) });
      const output = `${result.stdout}\n${result.stderr}`;
      expect({ code: result.code, warnings: output.split("\n").filter((line) => /WARN|Failed to create bin|Ignored build scripts|approve-builds/i.test(line)) }).toEqual({
        code: 0,
        warnings: [],
      });
      // The examples depend on core: its `llmops` command is linked, and before a build it says what is missing.
      const bin = join(copy, "examples", "quickstart", "node_modules", ".bin", "llmops");
      expect(existsSync(bin)).toBe(true);
      const unbuilt = await runProcess(bin, ["--version"], { cwd: join(copy, "examples", "quickstart") });
      expect({ code: unbuilt.code, stderr: unbuilt.stderr.trim() }).toEqual({
        code: 1,
        stderr: "llmops: @llmops/core has no dist/cli.cjs; in the llmops workspace run `pnpm run build` first.",
      });
    },
    INSTALL_TIMEOUT_MILLIS,
  );
});
