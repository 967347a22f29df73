/**
 * `ExportResultCode` of `@opentelemetry/core`, spelled out so that core's exporters load no SDK code: the numbers are
 * part of the exporter contract and do not change.
 */
export const EXPORT_SUCCESS = 0;
export const EXPORT_FAILED = 1;
