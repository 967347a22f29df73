import { changedFunctions, snapshotFunctions } from "../src/instrumentors/patch-observer";

describe("the patch check (function snapshots of a module's exports)", () => {
  it("sees a method replaced on the prototype of a class nested in an exported class, and nothing when nothing changed", () => {
    class Completions {
      create(): string {
        return "created";
      }
    }
    class Chat {
      static Completions = Completions;
    }
    class OpenAI {
      static Chat = Chat;
    }
    const moduleExports = { OpenAI, default: OpenAI, VERSION: "1" };
    const before = snapshotFunctions(moduleExports);
    expect(changedFunctions(before, snapshotFunctions(moduleExports))).toEqual([]);
    const original = Completions.prototype.create;
    Completions.prototype.create = function create(this: Completions) {
      return `traced:${original.call(this)}`;
    };
    expect(changedFunctions(before, snapshotFunctions(moduleExports))).toEqual([".OpenAI.Chat.Completions.prototype.create"]);
  });

  it("sees a patch behind a re-export binding of the exports (an ES module namespace as the import hook hands it over)", () => {
    class Completions {
      create(): string {
        return "created";
      }
    }
    class OpenAI {
      static Completions = Completions;
    }
    // The shape import-in-the-middle gives an instrumentor: every export an accessor over the module's binding.
    const namespace = Object.defineProperty({}, "default", { enumerable: true, get: () => OpenAI, set: () => {} });
    const before = snapshotFunctions(namespace);
    const original = Completions.prototype.create;
    Completions.prototype.create = function create(this: Completions) {
      return `traced:${original.call(this)}`;
    };
    expect(changedFunctions(before, snapshotFunctions(namespace))).toEqual([".default.Completions.prototype.create"]);
  });

  it("runs no getter below the exports, survives exports that throw on inspection, and stays bounded on a huge object graph", () => {
    let getterRuns = 0;
    const hostile = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error("no keys for you");
        },
      },
    );
    const deadZone = new Proxy(
      { binding: 1 },
      {
        getOwnPropertyDescriptor: () => {
          throw new ReferenceError("Cannot access 'binding' before initialization");
        },
      },
    );
    // 200,000 objects reachable within the walked depth: the walk stops at its cap instead of visiting them all.
    const wide = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, Object.fromEntries(Array.from({ length: 400 }, (_, j) => [`f${j}`, { fn: () => j }]))]));
    const moduleExports = {
      nested: {
        get lazy(): unknown {
          getterRuns++;
          return {};
        },
      },
      hostile,
      deadZone,
      wide,
    };
    const heapBefore = process.memoryUsage().heapUsed;
    const snapshot = snapshotFunctions(moduleExports);
    expect(getterRuns).toBe(0);
    expect(snapshot.has(".nested.lazy:get")).toBe(true);
    // At most 20,000 objects are walked (and 200,000 properties read), so far from all 200,000 functions reachable.
    expect(snapshot.size).toBeLessThan(25_000);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
  });
});
