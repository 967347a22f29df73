// The Gemini stand-in (an ES module) in a child process: jest's CommonJS projects cannot import it.
import { spawn } from "node:child_process";
import { join } from "node:path";

const SCRIPT = [
  'import { startGeminiStandIn } from "@llmops-internal/stand-ins";',
  "const standIn = await startGeminiStandIn();",
  'process.stdout.write(standIn.url + "\\n");',
  "process.stdin.resume();",
  'process.stdin.on("end", () => standIn.close().then(() => process.exit(0)));',
].join("\n");

/** A running stand-in: its URL (the client's `httpOptions.baseUrl`) and how to stop it. */
export interface StandInProcess {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts the Gemini stand-in from `@llmops-internal/stand-ins` in a child process; resolves once it listens. */
export function startGeminiStandInProcess(): Promise<StandInProcess> {
  const child = spawn(process.execPath, ["--input-type=module", "-e", SCRIPT], { cwd: join(__dirname, ".."), stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    let output = "";
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the Gemini stand-in exited (${code}) before it listened`)));
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const line = output.split("\n")[0];
      if (output.includes("\n") && line !== undefined) {
        resolve({
          url: line.trim(),
          close: async () => {
            child.stdin.end();
            await exited;
          },
        });
      }
    });
  });
}
