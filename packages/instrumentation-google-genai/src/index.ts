export { GoogleGenAIInstrumentation } from "./instrumentation";
export type { GoogleGenAIInstrumentationOptions } from "./instrumentation";
export { VERSION } from "./version";
