import { substituteVariables } from "../src/config/substitute";

describe("substituteVariables", () => {
  const env = { HOST: "collector", EMPTY: "", FLAG: "true", KEY: "sk-secret" };

  it("replaces ${VAR} and ${VAR:-default} everywhere, as a shell would", () => {
    const result = substituteVariables(
      { a: "http://${HOST}:4318", b: "${MISSING:-fallback}", c: "${EMPTY:-used-when-empty}", list: ["${HOST}", 3], nested: { d: "${HOST}-${HOST}" } },
      env,
    );
    expect(result.value).toEqual({ a: "http://collector:4318", b: "fallback", c: "used-when-empty", list: ["collector", 3], nested: { d: "collector-collector" } });
    expect(result.issues).toEqual([]);
    expect([...result.substitutedPaths].sort()).toEqual(["a", "b", "c", "list.0", "nested.d"]);
  });

  it("keeps $${ as a literal ${ and leaves text without references alone", () => {
    const result = substituteVariables({ template: "cost: $${AMOUNT}", plain: "no refs", dollar: "$5" }, env);
    expect(result.value).toEqual({ template: "cost: ${AMOUNT}", plain: "no refs", dollar: "$5" });
    expect(result.substitutedPaths.size).toBe(0);
  });

  it("reports an unset variable with the key and the variable, never a value", () => {
    const result = substituteVariables({ arize: { api_key: "${ARIZE_API_KEY}" } }, env, "/app/llmops.yaml");
    expect(result.issues).toEqual([
      expect.objectContaining({ path: "arize.api_key", file: "/app/llmops.yaml", message: expect.stringContaining("ARIZE_API_KEY") }),
    ]);
  });

  it("turns a whole-value reference to true/false into a boolean, and only that", () => {
    const result = substituteVariables({ on: "${FLAG}", text: "is ${FLAG}", key: "${KEY}" }, env);
    expect(result.value).toEqual({ on: true, text: "is true", key: "sk-secret" });
  });
});
