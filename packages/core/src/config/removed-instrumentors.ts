/**
 * `instrumentation:` keys whose OpenInference instrumentors llmops no longer applies, with the reason: an entry stays
 * in a registry only while a test drives it with its real client package and sees its spans. The keys are still
 * accepted in config files; validation warns with the reason and ignores them.
 */
export const removedInstrumentors: Readonly<Record<string, string>> = {
  claude_agent_sdk: "@anthropic-ai/claude-agent-sdk runs the Claude Code CLI, which needs Anthropic's service: no test can run it against a local stand-in",
  openai_agents:
    "@arizeai/openinference-instrumentation-openai-agents registers a trace processor with @openai/agents instead of wrapping a function, so llmops cannot see that it applied, and no test drives it yet",
  beeai: "@arizeai/openinference-instrumentation-beeai supports only beeai-framework 0.1.x, and no test drives it with the real package",
};
