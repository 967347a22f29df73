/**
 * The text of anything thrown: an `Error`'s message, the messages of an array joined (the SDK's provider rejects a
 * flush with an array of its processors' errors), anything else as a string.
 */
export function messageOf(error: unknown): string {
  if (Array.isArray(error)) return error.map(messageOf).join("; ");
  return error instanceof Error ? error.message : String(error);
}

/** The first line of {@link messageOf}: a module loader's message goes on with its require stack. */
export function firstLineOf(error: unknown): string {
  const message = messageOf(error);
  return message.split("\n")[0] ?? message;
}

/** Anything thrown as an `Error`, for the callbacks that take one (an export result, a rejection). */
export function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
