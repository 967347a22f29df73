// Custom detectors are regular expressions from the configuration, run by V8's backtracking engine on every content
// attribute. A pattern that can backtrack exponentially would hang the app on one unlucky input, so such patterns are
// refused when the configuration is validated, before any span is scanned.

/** The longest custom pattern accepted. */
export const MAX_PATTERN_LENGTH = 256;

/**
 * Why a custom pattern cannot be used, or undefined when it can: it must compile (with the `g` flag, and `i` when
 * asked), match something non-empty, and have no construct whose backtracking grows exponentially with the input —
 * a quantified group that holds a quantifier (`(a+)+`, `(\w*\s?)*`) or an alternative (`(a|ab)+`) — nor a
 * back-reference (`(a)\1`), which no bound on the input keeps linear.
 *
 * @param source - the pattern as written in the configuration
 */
export function unsafePatternReason(source: string, ignoreCase = false): string | undefined {
  if (source.length > MAX_PATTERN_LENGTH) return `is longer than ${MAX_PATTERN_LENGTH} characters`;
  let compiled: RegExp;
  try {
    compiled = new RegExp(source, ignoreCase ? "gi" : "g");
  } catch (error) {
    return `is not a valid regular expression (${(error as Error).message.replace(/^Invalid regular expression: /, "")})`;
  }
  if (compiled.test("")) return "matches the empty text; a detector must match at least one character";
  return structureProblem(source);
}

interface GroupState {
  hasQuantifier: boolean;
  hasAlternation: boolean;
}

/** Walks the pattern once, tracking groups, to find nested quantifiers, quantified alternations and back-references. */
function structureProblem(source: string): string | undefined {
  const stack: GroupState[] = [{ hasQuantifier: false, hasAlternation: false }];
  /** The group that just closed, if the previous token was `)`. */
  let closed: GroupState | undefined;
  let index = 0;
  while (index < source.length) {
    const char = source[index];
    const current = stack[stack.length - 1] as GroupState;
    if (char === "\\") {
      const next = source[index + 1] ?? "";
      if (/[1-9]/.test(next) || next === "k") return "uses a back-reference, which can make matching slow on long text";
      closed = undefined;
      index += next === "u" && source[index + 2] === "{" ? source.indexOf("}", index) + 1 || source.length : 2;
      continue;
    }
    if (char === "[") {
      // A character class is one token: skip to its closing bracket.
      index += 1;
      if (source[index] === "^") index += 1;
      if (source[index] === "]") index += 1;
      while (index < source.length && source[index] !== "]") index += source[index] === "\\" ? 2 : 1;
      index += 1;
      closed = undefined;
      continue;
    }
    if (char === "(") {
      stack.push({ hasQuantifier: false, hasAlternation: false });
      closed = undefined;
      index += source[index + 1] === "?" ? (source[index + 2] === "<" && source[index + 3] !== "=" && source[index + 3] !== "!" ? source.indexOf(">", index) + 1 - index : 3) : 1;
      continue;
    }
    if (char === ")") {
      const group = stack.pop() ?? { hasQuantifier: false, hasAlternation: false };
      const parent = stack[stack.length - 1];
      if (parent === undefined) return undefined; // unbalanced: the compile step reports it
      if (group.hasQuantifier) parent.hasQuantifier = true;
      closed = group;
      index += 1;
      continue;
    }
    if (char === "|") {
      current.hasAlternation = true;
      closed = undefined;
      index += 1;
      continue;
    }
    const quantifier = /^(?:[*+?]|\{\d+(?:,\d*)?\})/.exec(source.slice(index))?.[0];
    if (quantifier !== undefined) {
      const [low, high] = bounds(quantifier);
      // Only a count that can vary multiplies the ways to match: `{3}` is a fixed repeat, `?` at most one.
      const variable = high !== low;
      if (closed !== undefined && variable && high > 1) {
        if (closed.hasQuantifier) return "repeats a group that holds a quantifier (like (a+)+), which can take exponential time";
        if (closed.hasAlternation) return "repeats a group that holds alternatives (like (a|ab)+), which can take exponential time";
      }
      if (variable) current.hasQuantifier = true;
      closed = undefined;
      index += quantifier.length;
      if (source[index] === "?") index += 1; // lazy form
      continue;
    }
    closed = undefined;
    index += 1;
  }
  return undefined;
}

/** The least and most repeats a quantifier allows (`Infinity` when unbounded). */
function bounds(quantifier: string): [number, number] {
  if (quantifier === "*") return [0, Infinity];
  if (quantifier === "+") return [1, Infinity];
  if (quantifier === "?") return [0, 1];
  const [low = "0", high] = quantifier.slice(1, -1).split(",");
  return [Number(low), high === undefined ? Number(low) : high === "" ? Infinity : Number(high)];
}
