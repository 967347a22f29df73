/** Whether a value looks like an Error, also one from another realm (a VM context, a worker), where `instanceof Error` is false. */
function isErrorLike(value: unknown): value is Error {
  return typeof value === "object" && value !== null && typeof (value as { message?: unknown }).message === "string";
}

/**
 * The text of anything thrown: an `Error`'s message, the messages of an array joined (the SDK's provider rejects a
 * flush with an array of its processors' errors), anything else as a string.
 *
 * @param error - what was thrown or rejected with
 *
 * @example
 * ```ts
 * import { messageOf } from "@llmops/core";
 * try {
 *   JSON.parse("{");
 * } catch (error) {
 *   console.log(`could not read the file: ${messageOf(error)}`);
 * }
 * ```
 */
export function messageOf(error: unknown): string {
  if (Array.isArray(error)) return error.map(messageOf).join("; ");
  return isErrorLike(error) ? error.message : String(error);
}

/** The first line of {@link messageOf}: a module loader's message goes on with its require stack. */
export function firstLineOf(error: unknown): string {
  const message = messageOf(error);
  return message.split("\n")[0] ?? message;
}

/**
 * Anything thrown as an `Error`, for the callbacks that take one (an export result, a rejection).
 *
 * @param error - what was thrown or rejected with
 *
 * @example
 * ```ts
 * import { asError, EXPORT_FAILED } from "@llmops/core";
 * const result = { code: EXPORT_FAILED, error: asError("disk full") };
 * console.log(result.error.message); // "disk full"
 * ```
 */
export function asError(error: unknown): Error {
  return isErrorLike(error) ? error : new Error(String(error));
}
