import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const openai = await import("openai");
const { startTracing } = await import("./setups.mjs");
const s = await startTracing(process.env.M, { url: "http://127.0.0.1:9", appRoot: process.cwd(), openaiModule: openai });
globalThis.gc();
const counts = {};
for (const k of Object.keys(require.cache)) { const p = k.replace(/.*node_modules\//, "").split("/"); const name = p[0].startsWith("@") ? p[0] + "/" + p[1] : p[0]; counts[name] = (counts[name] ?? 0) + 1; }
console.log(Object.keys(require.cache).filter(k=>!k.includes("node_modules/")).join("\n"));console.log(process.env.M, (process.memoryUsage().heapUsed/2**20).toFixed(1), JSON.stringify(counts));
process.exit(0);
