// Local stand-ins for LLM provider APIs: the real client libraries talk to them over HTTP on 127.0.0.1.
export { startOpenAIStandIn } from "./openai.mjs";
export { startAnthropicStandIn } from "./anthropic.mjs";
export { startBedrockStandIn } from "./bedrock.mjs";
export { startGeminiStandIn } from "./gemini.mjs";
