import { warnOnce } from "../internal/logger";
import { trace } from "./trace";
import type { TraceOptions } from "./trace";

type AnyMethod = (this: unknown, ...args: never[]) => unknown;

/**
 * A method decorator that works in both TypeScript forms: the standard one (TypeScript 5's default, TC39 decorators)
 * and `experimentalDecorators`.
 *
 * @example
 * ```ts
 * import { traced } from "@llmops/core";
 * import type { TracedDecorator } from "@llmops/core";
 * const asTool: TracedDecorator = traced({ kind: "tool" });
 * class Calculator {
 *   @asTool
 *   add(a: number, b: number): number {
 *     return a + b;
 *   }
 * }
 * ```
 */
export interface TracedDecorator {
  /** The standard (TC39) form: receives the method and its context, returns the traced method. */
  <M extends AnyMethod>(method: M, context: ClassMethodDecoratorContext): M;
  /** The `experimentalDecorators` form: receives the prototype, the name and the property descriptor. */
  (target: object, propertyKey: string | symbol, descriptor: PropertyDescriptor): PropertyDescriptor;
}

/**
 * Traces a class method: every call records a span exactly as `trace()` does, named `Class.method` unless `name` is
 * given. Works with the standard decorators of TypeScript 5 and with `experimentalDecorators`; the options are those
 * of `trace()`.
 *
 * @param options - the options of `trace()`
 * @returns the decorator
 *
 * @example
 * ```ts
 * import { traced } from "@llmops/core";
 * class WeatherTool {
 *   @traced({ kind: "tool" })
 *   async forecast(city: string): Promise<string> {
 *     return `Sunny in ${city}`;
 *   }
 * }
 * console.log(await new WeatherTool().forecast("Lyon"));
 * ```
 */
export function traced(options?: TraceOptions): TracedDecorator {
  const decorator = (target: unknown, context: unknown, descriptor?: PropertyDescriptor): unknown => {
    if (typeof context === "object" && context !== null && "kind" in context) {
      // Standard decorators: (method, context) → the replacement method.
      const standard = context as ClassMethodDecoratorContext;
      if (standard.kind !== "method" || typeof target !== "function") {
        warnOnce("traced-kind", `@traced() decorates methods; on a ${String(standard.kind)} it does nothing.`);
        return undefined;
      }
      const methodName = String(standard.name);
      let className: string | undefined;
      standard.addInitializer(function (this: unknown) {
        className ??= classNameOf(this, standard.static);
      });
      // The class name is known only once an instance (or the class) exists, after the decorator ran: the default
      // span name is settled at the first call.
      let wrapped: AnyMethod | undefined;
      const method = target as AnyMethod;
      const replacement = function (this: unknown, ...args: never[]): unknown {
        wrapped ??= trace(method, { ...options, name: options?.name ?? (className === undefined ? methodName : `${className}.${methodName}`) });
        return wrapped.apply(this, args);
      };
      Object.defineProperty(replacement, "name", { value: method.name, configurable: true });
      Object.defineProperty(replacement, "length", { value: method.length, configurable: true });
      return replacement;
    }
    if (descriptor !== undefined && typeof descriptor.value === "function") {
      // experimentalDecorators: (prototype or class, key, descriptor) → the descriptor with the traced method.
      const owner = typeof target === "function" ? target.name : classNameOf(target, false);
      const methodName = String(context);
      const name = options?.name ?? (owner === undefined || owner === "" ? methodName : `${owner}.${methodName}`);
      return { ...descriptor, value: trace(descriptor.value as AnyMethod, { ...options, name }) };
    }
    warnOnce("traced-target", "@traced() decorates methods; it was applied to something else and does nothing.");
    return descriptor;
  };
  return decorator as TracedDecorator;
}

function classNameOf(instanceOrPrototype: unknown, isStatic: boolean): string | undefined {
  try {
    if (isStatic) return (instanceOrPrototype as { name?: string }).name;
    return (instanceOrPrototype as { constructor?: { name?: string } }).constructor?.name;
  } catch {
    return undefined;
  }
}
