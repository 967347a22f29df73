/**
 * `ExportResultCode.SUCCESS` of `@opentelemetry/core`, spelled out so that an exporter can return it without loading
 * SDK code: the numbers are part of the exporter contract and do not change.
 *
 * @example
 * ```ts
 * import { EXPORT_SUCCESS } from "@llmops/core";
 * const done = (resultCallback: (result: { code: number }) => void) => resultCallback({ code: EXPORT_SUCCESS });
 * done((result) => console.log(result.code)); // 0
 * ```
 */
export const EXPORT_SUCCESS = 0;

/**
 * `ExportResultCode.FAILED` of `@opentelemetry/core`, spelled out for the same reason as {@link EXPORT_SUCCESS}.
 *
 * @example
 * ```ts
 * import { asError, EXPORT_FAILED } from "@llmops/core";
 * const result = { code: EXPORT_FAILED, error: asError("the backend refused the batch") };
 * console.log(result.code); // 1
 * ```
 */
export const EXPORT_FAILED = 1;
