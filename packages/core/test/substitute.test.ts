import { substituteVariables } from "../src/config/substitute";

describe("substituteVariables", () => {
  const env = { HOST: "collector", EMPTY: "", FLAG: "true", KEY: "sk-secret" };

  it("replaces ${VAR} and ${VAR:-default} everywhere, as a shell would", () => {
    const result = substituteVariables({ a: "http://${HOST}:4318", b: "${MISSING:-fallback}", c: "${EMPTY:-used-when-empty}", list: ["${HOST}", 3], nested: { d: "${HOST}-${HOST}" } }, env);
    expect(result.value).toEqual({ a: "http://collector:4318", b: "fallback", c: "used-when-empty", list: ["collector", 3], nested: { d: "collector-collector" } });
    expect(result.issues).toEqual([]);
    expect([...result.substitutedPaths].sort()).toEqual(["a", "b", "c", "list.0", "nested.d"]);
  });

  it("records, per path, the set variables a value took in, and not a default that applied", () => {
    const result = substituteVariables({ a: "http://${HOST}:4318", b: "${MISSING:-fallback}", c: "${EMPTY:-used-when-empty}", d: "${HOST}-${KEY}-${HOST}", e: "${EMPTY}" }, env);
    expect(result.substitutedVariables).toEqual(
      new Map([
        ["a", ["HOST"]],
        ["d", ["HOST", "KEY"]],
        ["e", ["EMPTY"]],
      ]),
    );
  });

  it("keeps $${ as a literal ${ and leaves text without references alone", () => {
    const result = substituteVariables({ template: "cost: $${AMOUNT}", plain: "no refs", dollar: "$5" }, env);
    expect(result.value).toEqual({ template: "cost: ${AMOUNT}", plain: "no refs", dollar: "$5" });
    expect(result.substitutedPaths.size).toBe(0);
  });

  it("reports an unset variable with the key and the variable, never a value", () => {
    const result = substituteVariables({ arize: { api_key: "${ARIZE_API_KEY}" } }, env, "/app/llmops.yaml");
    expect(result.issues).toEqual([expect.objectContaining({ path: "arize.api_key", file: "/app/llmops.yaml", message: expect.stringContaining("ARIZE_API_KEY") })]);
  });

  it("turns a whole-value reference to true/false into a boolean, and only that", () => {
    const result = substituteVariables({ on: "${FLAG}", text: "is ${FLAG}", key: "${KEY}" }, env);
    expect(result.value).toEqual({ on: true, text: "is true", key: "sk-secret" });
  });

  it("substitutes an object used in many places once, and keeps it shared in the result", () => {
    // Sixteen levels of two aliases each: 65,536 places for one object, as a YAML alias bomb builds them.
    let reads = 0;
    const shared = new Proxy(
      { key: "${KEY}", label: "plain" },
      {
        ownKeys(target) {
          reads++;
          return Reflect.ownKeys(target);
        },
      },
    );
    let level: unknown = shared;
    for (let depth = 0; depth < 16; depth++) level = { a: level, b: level };
    const result = substituteVariables({ memory: level }, env);
    expect(reads).toBe(1);
    const memory = (result.value as { memory: { a: unknown; b: unknown } }).memory;
    expect(memory.a).toBe(memory.b);
  });

  it("redacts a shared value, and reports an unset variable in it, at every place it is used", () => {
    const shared = { key: "${KEY}", missing: "${NOT_SET_ANYWHERE}" };
    const result = substituteVariables({ mlflow: { auth: shared }, memory: { auth: shared } }, env);
    expect([...result.substitutedPaths].sort()).toEqual(["memory.auth.key", "memory.auth.missing", "mlflow.auth.key", "mlflow.auth.missing"]);
    expect(result.issues.map((issue) => issue.path).sort()).toEqual(["memory.auth.missing", "mlflow.auth.missing"]);
  });

  it("never copies a __proto__ key into the result's prototype", () => {
    const loaded = JSON.parse('{"local":{"__proto__":{"directory":"/tmp/planted"},"constructor":{"x":1}}}') as unknown;
    const result = substituteVariables(loaded, env);
    const local = (result.value as { local: Record<string, unknown> }).local;
    expect(Object.getPrototypeOf(local)).toBe(Object.prototype);
    expect(local.directory).toBeUndefined();
    expect(Object.keys(local)).toEqual([]);
  });

  it("leaves a YAML timestamp (a Date) as it is", () => {
    const when = new Date("2026-01-02T00:00:00Z");
    expect((substituteVariables({ service: { version: when } }, env).value as { service: { version: unknown } }).service.version).toBe(when);
  });
});
