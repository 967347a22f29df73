// What the tests of every package share. `@llmops-internal/test-support/process-state` (which loads `@llmops/core`)
// and `@llmops-internal/test-support/otlp-decode` (plain CommonJS, for the benchmark's `.mjs`) are separate entries.
export { generateTestCertificates } from "./certificates";
export type { TestAuthority, TestCertificates } from "./certificates";
export { captureDiag } from "./diag";
export type { CapturedLogs } from "./diag";
export { startFakeMlflow } from "./fake-mlflow";
export type { FakeMlflow, RecordedRequest } from "./fake-mlflow";
export { cleanEnvironment } from "./environment.cjs";
export type { CleanEnvironmentOptions } from "./environment.cjs";
export { decodeTraceRequest, countSpans } from "./otlp-decode.cjs";
export type { AttributeValue, DecodedResourceSpans, DecodedSpan, DecodedTraceRequest } from "./otlp-decode.cjs";
export { GRPC_EXPORT_PATH, startGrpcReceiver, startHttpReceiver } from "./otlp-receiver";
export type { HttpOtlpReceiver, OtlpReceiver, ReceivedRequest, ServerTls } from "./otlp-receiver";
export { aliasBomb, SEED_CONFIG_FILE } from "./fixtures";
export { freePorts, unusedPort } from "./ports";
export { lastJsonLine, markedJsonLine, runNode, runProcess } from "./run-process";
export type { ProcessRun, RunProcessOptions } from "./run-process";
export { createTempApp } from "./temp-app";
export type { FakePackage, TempAppOptions } from "./temp-app";
export { collectorConfig, parseCollectorFile, startCollector } from "./collector";
export type { CollectedSpan, CollectorOptions, CollectorTls, RunningCollector } from "./collector";
export { startSentryReceiver } from "./sentry-receiver";
export type { SentryReceiver, SentrySpan } from "./sentry-receiver";
