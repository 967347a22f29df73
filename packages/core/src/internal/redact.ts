const SECRET_KEY = /(api[_-]?key|token|secret|password|passwd|authorization|credential|headers?|cookie|private)/i;

/** True when a dotted key path may hold a secret, e.g. `arize.api_key` or `mlflow.headers.x-auth`. */
export function isSecretPath(path: string): boolean {
  return SECRET_KEY.test(path);
}

/** A short, printable description of a configuration value; secrets print as `[redacted]`. */
export function describeValue(value: unknown, secret: boolean): string {
  if (secret) return "[redacted]";
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") return truncate(JSON.stringify(value));
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === "object") return "an object";
  return typeof value;
}

function truncate(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}..."` : text;
}
