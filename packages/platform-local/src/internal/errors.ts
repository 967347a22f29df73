/** Whether a value looks like an Error (also one from another realm, where `instanceof Error` is false). */
function isErrorLike(value: unknown): value is Error {
  return typeof value === "object" && value !== null && typeof (value as { message?: unknown }).message === "string";
}

/** The message of a thrown value, for logs. */
export function messageOf(error: unknown): string {
  return isErrorLike(error) ? error.message : String(error);
}

/** A thrown value as an Error, for an export result. */
export function asError(error: unknown): Error {
  return isErrorLike(error) ? error : new Error(String(error));
}
