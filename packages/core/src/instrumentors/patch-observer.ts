/**
 * Seeing whether an instrumentor patched anything: the functions reachable from a module's exports are recorded
 * before and after its `manuallyInstrument`, and any that was replaced (or added, or removed) is a patch seen.
 * Instrumentors wrap methods on the prototypes of exported classes (`OpenAI.Chat.Completions.prototype.create`,
 * `BedrockRuntimeClient.prototype.send`, `StdioClientTransport.prototype.send`) or static functions, so the walk
 * follows own properties of objects and functions, prototypes included, a few levels deep. It reads property
 * descriptors only: no getter runs, and a module namespace binding not yet initialised is skipped.
 */

/** How deep the walk goes from the exports: exports › class › nested class › prototype › method is depth 4. */
const MAX_DEPTH = 5;
/** How many objects one snapshot visits, and how many properties it reads, at most: a huge module costs a bounded walk. */
const MAX_OBJECTS = 20_000;
const MAX_PROPERTIES = 200_000;

/** The functions reachable from one module's exports, by property path. */
export type FunctionSnapshot = ReadonlyMap<string, unknown>;

/** Records the function at every property path reachable from `moduleExports` (bounded depth and size). */
export function snapshotFunctions(moduleExports: unknown): FunctionSnapshot {
  const functions = new Map<string, unknown>();
  if (!isWalkable(moduleExports)) return functions;
  const seen = new Set<object>([moduleExports]);
  let queue: Array<{ value: object; path: string }> = [{ value: moduleExports, path: "" }];
  let properties = 0;
  for (let depth = 0; depth < MAX_DEPTH && queue.length > 0; depth++) {
    const next: typeof queue = [];
    for (const { value, path } of queue) {
      for (const key of ownKeys(value)) {
        if (++properties > MAX_PROPERTIES) return functions;
        const descriptor = descriptorOf(value, key);
        if (descriptor === undefined) continue;
        const childPath = `${path}.${String(key)}`;
        // Accessors: their functions are what a patch would replace; the value behind them is not read, except on
        // the exports object itself, where a getter is a re-export binding (an ES module namespace as the import
        // hook hands it over, or a compiled `export { X } from`), and the client class lives behind it.
        const bound = depth === 0 && descriptor.get !== undefined ? readBinding(value, key) : undefined;
        for (const [suffix, member] of [
          ["", descriptor.value ?? bound],
          [":get", descriptor.get],
          [":set", descriptor.set],
        ] as const) {
          if (member === undefined) continue;
          if (typeof member === "function") functions.set(childPath + suffix, member);
          if (isWalkable(member) && !seen.has(member) && seen.size < MAX_OBJECTS) {
            seen.add(member);
            next.push({ value: member, path: childPath + suffix });
          }
        }
      }
    }
    queue = next;
  }
  return functions;
}

/** The property paths whose function differs between two snapshots of the same exports (replaced, added or removed). */
export function changedFunctions(before: FunctionSnapshot, after: FunctionSnapshot): string[] {
  const changed: string[] = [];
  for (const [path, value] of after) if (before.get(path) !== value) changed.push(path);
  for (const path of before.keys()) if (!after.has(path)) changed.push(path);
  return changed;
}

function ownKeys(value: object): readonly PropertyKey[] {
  try {
    return Reflect.ownKeys(value);
  } catch {
    return [];
  }
}

function descriptorOf(value: object, key: PropertyKey): PropertyDescriptor | undefined {
  try {
    return Reflect.getOwnPropertyDescriptor(value, key);
  } catch {
    // A module namespace binding in its temporal dead zone (a cycle still loading) throws: nothing to record.
    return undefined;
  }
}

function readBinding(value: object, key: PropertyKey): unknown {
  try {
    return Reflect.get(value, key);
  } catch {
    return undefined;
  }
}

function isWalkable(value: unknown): value is object {
  return (typeof value === "object" || typeof value === "function") && value !== null;
}
