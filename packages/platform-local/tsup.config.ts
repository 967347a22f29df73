import { defineConfig } from "tsup";
import { bundledValibot, packageBuild } from "../../tsup.base";

export default defineConfig({ ...packageBuild({ index: "src/index.ts" }), ...bundledValibot });
