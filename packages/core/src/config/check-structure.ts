import type { ConfigIssue } from "../errors/llmops-error";

/**
 * The bounds every configuration is held to before any stage walks it. A YAML alias (or a JavaScript value used in
 * two places) counts at every place it is used, since that is how often validation would meet it: ten nested
 * aliases in a few hundred bytes would otherwise stand for billions of values.
 */
export const CONFIG_LIMITS = {
  /** Largest config file read, in bytes. */
  maxFileBytes: 1_048_576,
  /** Most values (objects, arrays and scalars, aliases counted where used) in one configuration. */
  maxNodes: 10_000,
  /** Deepest nesting of objects and arrays. */
  maxDepth: 32,
} as const;

/**
 * Keys that would reach an object's prototype (`__proto__`) or shadow what every object inherits: a config that
 * sets them is refused rather than read, since an object built from it would inherit settings nobody wrote at
 * their own place.
 */
const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** True for a key no configuration may hold (`__proto__`, `constructor`, `prototype`). */
export function isForbiddenKey(key: string): boolean {
  return FORBIDDEN_KEYS.has(key);
}

/** What {@link checkStructure} found. */
export interface StructureCheck {
  /** Every problem, with its dotted path. */
  readonly issues: readonly ConfigIssue[];
  /** True when the value must not be walked further (over a bound, or a cycle); the issues say why. */
  readonly fatal: boolean;
}

interface Measure {
  /** Values in the subtree, shared ones counted at every place they are used. */
  readonly nodes: number;
  /** Levels of objects and arrays in the subtree, this one included (0 for a scalar). */
  readonly height: number;
}

/** Thrown inside the walk to stop it at the first bound crossed; never leaves {@link checkStructure}. */
class Stop {}

/**
 * Measures a loaded configuration once per distinct object (shared values are measured once and counted at every
 * place they are used), within the bounds of {@link CONFIG_LIMITS}: total values, nesting depth, no cycle. Also
 * refuses `__proto__`, `constructor` and `prototype` keys and objects that inherit from anything but `Object`
 * (`{ __proto__: {...} }` in a JavaScript config). The walk itself never goes deeper than `maxDepth` frames.
 *
 * @param value - the configuration as loaded (from a file, or inline)
 * @param file - the file it came from, for issues and messages
 * @param limits - the bounds; {@link CONFIG_LIMITS} unless a test needs others
 */
export function checkStructure(value: unknown, file: string | undefined, limits: typeof CONFIG_LIMITS = CONFIG_LIMITS): StructureCheck {
  const issues: ConfigIssue[] = [];
  const fileField = file === undefined ? {} : { file };
  const source = file === undefined ? "the inline configuration" : file;
  const measured = new Map<object, Measure>();
  const open = new Set<object>();

  const fail = (path: string, message: string): never => {
    issues.push({ path, message, ...fileField });
    throw new Stop();
  };

  const measure = (node: unknown, depth: number, path: string): Measure => {
    // A Date is what YAML makes of a timestamp: a scalar here.
    if (typeof node !== "object" || node === null || node instanceof Date) return { nodes: 1, height: 0 };
    const known = measured.get(node);
    if (known !== undefined) {
      if (depth + known.height - 1 > limits.maxDepth) fail(path, `${source} nests objects and arrays deeper than ${limits.maxDepth} levels`);
      return known;
    }
    if (open.has(node)) fail(path, `refers to itself (a cycle); ${source} cannot be read as a configuration`);
    if (depth > limits.maxDepth) fail(path, `${source} nests objects and arrays deeper than ${limits.maxDepth} levels`);
    open.add(node);
    let nodes = 1;
    let height = 1;
    const visitChild = (child: unknown, childPath: string): void => {
      const inner = measure(child, depth + 1, childPath);
      nodes += inner.nodes;
      height = Math.max(height, inner.height + 1);
      if (nodes > limits.maxNodes) {
        fail(path, `${source} holds more than ${limits.maxNodes} values (YAML aliases and shared values count at every place they are used)`);
      }
    };
    if (Array.isArray(node)) {
      node.forEach((item, index) => visitChild(item, join(path, String(index))));
    } else {
      const prototype = Object.getPrototypeOf(node) as unknown;
      if (prototype !== Object.prototype && prototype !== null) {
        issues.push({ path, message: "inherits keys from a prototype of its own (set with __proto__, or a class instance): refused, only plain objects are read", ...fileField });
      }
      for (const key of Object.keys(node)) {
        if (isForbiddenKey(key)) {
          issues.push({ path: join(path, key), message: `the key "${key}" is refused: it would change what the object inherits rather than set a value`, ...fileField });
          continue;
        }
        visitChild((node as Record<string, unknown>)[key], join(path, key));
      }
    }
    open.delete(node);
    const result = { nodes, height };
    measured.set(node, result);
    return result;
  };

  try {
    measure(value, 1, "");
  } catch (error) {
    if (error instanceof Stop) return { issues, fatal: true };
    throw error;
  }
  return { issues, fatal: false };
}

function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}
