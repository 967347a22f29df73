import { spawnSync } from "node:child_process";

/** A Node binary the integration tests run their child processes on. */
export interface NodeBinary {
  readonly path: string;
  readonly version: string;
}

/**
 * The Node running jest, then each binary listed in `LLMOPS_TEST_NODE_BINARIES` (colon-separated; `pnpm test` lists
 * the Node 22 and 24 binaries it installed). A listed binary that does not run is an error, never a silent skip.
 */
export function nodeBinaries(): NodeBinary[] {
  const paths = [process.execPath, ...(process.env.LLMOPS_TEST_NODE_BINARIES ?? "").split(":").filter((path) => path !== "")];
  const binaries: NodeBinary[] = [];
  for (const path of paths) {
    const result = spawnSync(path, ["--version"], { encoding: "utf8" });
    if (result.status !== 0) throw new Error(`LLMOPS_TEST_NODE_BINARIES lists ${path}, which does not run: ${result.error?.message ?? result.stderr}`);
    const version = result.stdout.trim();
    if (!binaries.some((binary) => binary.version === version)) binaries.push({ path, version });
  }
  return binaries;
}
