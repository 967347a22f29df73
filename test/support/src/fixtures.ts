import { join } from "node:path";

/**
 * The reference config file every platform must load unchanged (the Python SDK's example, with `arize`, `mlflow`,
 * `instrumentation` and `validation` sections): core, both network platforms and the CLI tests read it.
 */
export const SEED_CONFIG_FILE = join(__dirname, "..", "fixtures", "seed-000-llmops.yaml");
