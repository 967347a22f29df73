/** Where JSON text stops being JSON, and why. */
export interface JsonSyntaxError {
  /** Offset (in UTF-16 code units) of the first character that is wrong. */
  readonly offset: number;
  /** What is wrong, in words; quotes at most the one character found, never the text around it. */
  readonly reason: string;
}

class Found {
  constructor(readonly error: JsonSyntaxError) {}
}

/** Deepest nesting this scanner follows; `JSON.parse` has already failed, and the reason is all that is needed. */
const MAX_SCAN_DEPTH = 1_000;

/**
 * Finds the first syntax error of text that `JSON.parse` refused. V8's own message either quotes the text (which
 * may hold a secret) or gives no position at all, depending on the error and the Node.js version; this scanner
 * gives the offset and a reason of its own, and prints nothing of the text but the one character found.
 *
 * @param text - text that is not valid JSON
 */
export function jsonSyntaxError(text: string): JsonSyntaxError {
  let index = 0;
  const fail = (reason: string, at = index): never => {
    throw new Found({ offset: at, reason });
  };
  const describe = (): string => {
    if (index >= text.length) return "the end of the file";
    const character = text.charAt(index);
    return /^[\x21-\x7e]$/.test(character) ? `'${character}'` : `U+${character.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`;
  };
  const skipSpace = (): void => {
    while (index < text.length && " \t\n\r".includes(text.charAt(index))) index++;
  };
  const string = (): void => {
    const start = index;
    index++;
    for (;;) {
      if (index >= text.length) fail('a string is not closed (missing ")', start);
      const character = text.charAt(index);
      if (character === '"') {
        index++;
        return;
      }
      if (character === "\\") {
        const escaped = text.charAt(index + 1);
        if (escaped === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(index + 2, index + 6))) fail("\\u must be followed by four hex digits");
          index += 6;
        } else if ('"\\/bfnrt'.includes(escaped) && escaped !== "") {
          index += 2;
        } else {
          fail('a backslash in a string must start a valid escape (\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)');
        }
        continue;
      }
      if (character.charCodeAt(0) < 0x20) fail("a string holds a control character (a line break or tab must be written \\n or \\t)");
      index++;
    }
  };
  const value = (depth: number): void => {
    if (depth > MAX_SCAN_DEPTH) fail(`values nest deeper than ${MAX_SCAN_DEPTH} levels`);
    skipSpace();
    const character = text.charAt(index);
    if (character === "{") {
      index++;
      skipSpace();
      if (text.charAt(index) === "}") {
        index++;
        return;
      }
      for (;;) {
        skipSpace();
        if (text.charAt(index) === "}") fail("a comma before } is not allowed in JSON");
        if (text.charAt(index) !== '"') fail(`expected a property name in double quotes, found ${describe()}`);
        string();
        skipSpace();
        if (text.charAt(index) !== ":") fail(`expected ":" after a property name, found ${describe()}`);
        index++;
        value(depth + 1);
        skipSpace();
        if (text.charAt(index) === ",") {
          index++;
          continue;
        }
        if (text.charAt(index) === "}") {
          index++;
          return;
        }
        fail(`expected "," or "}" after a property value, found ${describe()}`);
      }
    }
    if (character === "[") {
      index++;
      skipSpace();
      if (text.charAt(index) === "]") {
        index++;
        return;
      }
      for (;;) {
        skipSpace();
        if (text.charAt(index) === "]") fail("a comma before ] is not allowed in JSON");
        value(depth + 1);
        skipSpace();
        if (text.charAt(index) === ",") {
          index++;
          continue;
        }
        if (text.charAt(index) === "]") {
          index++;
          return;
        }
        fail(`expected "," or "]" after an array item, found ${describe()}`);
      }
    }
    if (character === '"') return string();
    if (character === "-" || (character >= "0" && character <= "9")) {
      const number = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
      number.lastIndex = index;
      const match = number.exec(text);
      if (match === null) fail("not a valid number");
      index += match?.[0].length ?? 0;
      return;
    }
    for (const literal of ["true", "false", "null"]) {
      if (text.startsWith(literal, index)) {
        index += literal.length;
        return;
      }
    }
    fail(index >= text.length ? "the file ends where a value was expected" : `expected a value, found ${describe()}`);
  };
  try {
    value(0);
    skipSpace();
    if (index < text.length) fail(`unexpected ${describe()} after the end of the JSON value`);
  } catch (error) {
    if (error instanceof Found) return error.error;
    throw error;
  }
  return { offset: 0, reason: "not valid JSON" };
}
