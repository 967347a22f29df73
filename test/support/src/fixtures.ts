import { join } from "node:path";

/**
 * The reference config file every platform must load unchanged (the Python SDK's example, with `arize`, `mlflow`,
 * `instrumentation` and `validation` sections): core, both network platforms and the CLI tests read it.
 */
export const SEED_CONFIG_FILE = join(__dirname, "..", "fixtures", "seed-000-llmops.yaml");

/**
 * A YAML config whose `unread:` section holds `levels` levels of nested aliases, ten to a level: 10^levels values once
 * expanded, in a few hundred bytes (under 500 for ten levels). Its `service` section is valid.
 */
export function aliasBomb(levels: number): string {
  const names = "abcdefghijklmnop".slice(0, levels).split("");
  return [
    "service: {name: svc}",
    "unread:",
    `  a: &a [${Array(10).fill('"lol"').join(",")}]`,
    ...names.slice(1).map(
      (name, index) =>
        `  ${name}: &${name} [${Array(10)
          .fill(`*${names[index] ?? ""}`)
          .join(",")}]`,
    ),
    "",
  ].join("\n");
}
