import * as crypto from "node:crypto";
import { DETECTORS, entropy, ibanValid, ipv6Valid, looksLikeSecret, luhnValid } from "../src/privacy/detectors";
import { unsafePatternReason } from "../src/privacy/safe-pattern";
import { createScrubber, truncationMarker } from "../src/privacy/scrubber";
import type { PrivacyDetectorsConfig } from "../src/contract/privacy";
import { DEFAULT_MAX_SCAN_LENGTH } from "../src/privacy/settings";

const EMAIL = "john.smith@example.com";
const CARD = "4111 1111 1111 1111";
const KEY = "sk-proj-Qx7Lm2Nc9Rt4Vb8Wy3Zk6Hs1Jd5Fg0Ap";

function scrubberOf(config: Partial<PrivacyDetectorsConfig>) {
  const scrubber = createScrubber({ detectors: {}, custom: [], maxScanLength: DEFAULT_MAX_SCAN_LENGTH, extraAttributes: [], ...config }, crypto);
  if (scrubber === undefined) throw new Error("expected a scrubber");
  return scrubber;
}

describe("actions", () => {
  it("mask keeps a hint of the shape: first letters, separators, the top-level domain, the last digits", () => {
    const scrubber = scrubberOf({ detectors: { email: "mask", payment_card: "mask", phone: "mask", api_key: "mask", iban: "mask", ip_address: "mask", jwt: "mask" } });
    expect(scrubber.scrub(`mail ${EMAIL} now`)).toBe("mail j******@e***.com now");
    expect(scrubber.scrub(`card ${CARD}`)).toBe("card **** **** **** 1111");
    expect(scrubber.scrub("call +44 20 7946 0958")).toBe("call +** ** **** **58");
    expect(scrubber.scrub(`key ${KEY}`)).toBe("key sk-proj-*********");
    expect(scrubber.scrub("AKIAIOSFODNN7EXAMPLE")).toBe("AKIA******");
    expect(scrubber.scrub("iban GB82 WEST 1234 5698 7654 32")).toBe("iban GB** **** **** **** **54 32");
    expect(scrubber.scrub("from 203.0.113.7 and 2001:db8::1")).toBe("from 203.***.***.*** and 2001:****");
  });

  it("mask keeps only a length class: short and long parts get 3, 6 or 9 stars, never the exact length", () => {
    const scrubber = scrubberOf({ detectors: { email: "mask" } });
    expect(scrubber.scrub("ab@cd.org")).toBe("a***@c***.org");
    expect(scrubber.scrub("abcdefgh@cd.org")).toBe("a***@c***.org");
    expect(scrubber.scrub("abcdefghijkl@cd.org")).toBe("a******@c***.org");
    expect(scrubber.scrub("abcdefghijklmnopqrstuv@cd.org")).toBe("a*********@c***.org");
  });

  it("redact puts the detector's label", () => {
    const scrubber = scrubberOf({ detectors: { email: "redact", payment_card: "redact", api_key: "redact" } });
    expect(scrubber.scrub(`${EMAIL} paid with ${CARD} using ${KEY}`)).toBe("[REDACTED:EMAIL] paid with [REDACTED:CARD] using [REDACTED:API_KEY]");
  });

  it("hash gives one token per value and salt, whatever the spelling, and another token under another salt", () => {
    const first = scrubberOf({ detectors: { email: "hash", payment_card: "hash" }, salt: "salt-one-0123456789" });
    const again = scrubberOf({ detectors: { email: "hash", payment_card: "hash" }, salt: "salt-one-0123456789" });
    const other = scrubberOf({ detectors: { email: "hash" }, salt: "salt-two-0123456789" });
    const token = first.scrub(EMAIL);
    expect(token).toMatch(/^\[EMAIL:[0-9a-f]{12}\]$/);
    expect(again.scrub(`Mail: ${EMAIL.toUpperCase()}`)).toBe(`Mail: ${token}`);
    expect(other.scrub(EMAIL)).not.toBe(token);
    expect(first.scrub("jane@example.com")).not.toBe(token);
    expect(first.scrub(CARD)).toBe(first.scrub(CARD.replace(/ /g, "-")));
  });

  it("hash without a salt uses one random salt for the whole process", () => {
    const one = scrubberOf({ detectors: { email: "hash" } });
    const two = scrubberOf({ detectors: { email: "hash" } });
    expect(one.scrub(EMAIL)).toBe(two.scrub(EMAIL));
    expect(one.scrub(EMAIL)).not.toBe(scrubberOf({ detectors: { email: "hash" }, salt: "configured-salt-1" }).scrub(EMAIL));
  });

  it("returns the very same string when nothing is found, and no scrubber at all when every detector is off", () => {
    const scrubber = scrubberOf({ detectors: { email: "redact", phone: "redact" } });
    const text = "nothing to see in version 1.2.3 on 2024-01-15";
    expect(scrubber.scrub(text)).toBe(text);
    expect(createScrubber({ detectors: {}, custom: [], maxScanLength: 1000, extraAttributes: [] }, crypto)).toBeUndefined();
    expect(createScrubber({ detectors: {}, custom: [{ name: "x", pattern: "x", action: "off", ignoreCase: false }], maxScanLength: 1000, extraAttributes: [] }, crypto)).toBeUndefined();
    expect(createScrubber(undefined, crypto)).toBeUndefined();
  });

  it("custom detectors run first, with their own label", () => {
    const scrubber = scrubberOf({
      detectors: { email: "redact" },
      custom: [
        { name: "employee_id", pattern: "EMP-\\d{6}", action: "redact", ignoreCase: true },
        { name: "ticket", pattern: "TCK\\d{4}", action: "mask", ignoreCase: false },
      ],
    });
    expect(scrubber.scrub(`emp-123456 asked about TCK1234 from ${EMAIL}`)).toBe("[REDACTED:EMPLOYEE_ID] asked about T*** from [REDACTED:EMAIL]");
  });

  it("finds values right after a JSON escape (\\n, \\t) as it finds them in plain text, and keeps the JSON valid", () => {
    const all = Object.fromEntries(Object.keys(DETECTORS).map((name) => [name, "redact"]));
    const scrubber = scrubberOf({ detectors: { ...all, email: "hash" }, salt: "json-salt-0123456789" });
    const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
    const values = [EMAIL, "+44 20 7946 0958", KEY, jwt, "203.0.113.7", "GB82WEST12345698765432", CARD];
    const text = JSON.stringify({ content: values.map((value) => `\n${value}\t`).join("") });
    const scrubbed = scrubber.scrub(text);
    for (const value of values) expect({ value, found: scrubbed.includes(value) }).toEqual({ value, found: false });
    expect(JSON.parse(scrubbed)).toEqual({
      content: `\n${scrubber.scrub(EMAIL)}\t\n[REDACTED:PHONE]\t\n[REDACTED:API_KEY]\t\n[REDACTED:JWT]\t\n[REDACTED:IP]\t\n[REDACTED:IBAN]\t\n[REDACTED:CARD]\t`,
    });
  });

  it("cuts off what lies past max_scan_length rather than send it unscanned, at a space so that no half value is left", () => {
    const scrubber = scrubberOf({ detectors: { email: "redact" }, maxScanLength: 300 });
    const text = `${"a ".repeat(100)}${EMAIL} ${"b ".repeat(5)}${"c".repeat(400)}`;
    expect(scrubber.scrub(text)).toBe(`${"a ".repeat(100)}[REDACTED:EMAIL] b b b b b${truncationMarker(401)}`);
    const straddling = `${"a ".repeat(140)}${EMAIL} and more`;
    expect(scrubber.scrub(straddling)).toBe(`${"a ".repeat(139)}a${truncationMarker(straddling.length - 279)}`);
  });
});

describe("checks", () => {
  it("Luhn, IBAN mod-97 and IPv6 rules", () => {
    expect(luhnValid("4111111111111111")).toBe(true);
    expect(luhnValid("4111111111111112")).toBe(false);
    expect(ibanValid("GB82WEST12345698765432")).toBe(true);
    expect(ibanValid("GB83WEST12345698765432")).toBe(false);
    expect(ibanValid("DE89370400440532013000")).toBe(true);
    expect(ibanValid("DE8937040044053201300")).toBe(false);
    for (const address of ["2001:db8::1", "::1", "fe80::1ff:fe23:4567:890a", "2001:0db8:85a3:0000:0000:8a2e:0370:7334", "::ffff:192.0.2.1"]) expect(ipv6Valid(address)).toBe(true);
    for (const text of ["12:30:45", "00:1A:2B:3C:4D:5E", "add::bed", "1::2::3", "2001:db8:::1"]) expect(ipv6Valid(text)).toBe(false);
  });

  it("random tokens look like secrets; words, paths, hexadecimal hashes and UUIDs do not", () => {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let found = 0;
    for (let index = 0; index < 1000; index++) {
      const token = [...crypto.randomBytes(64)]
        .filter((byte) => byte < 248)
        .slice(0, 32)
        .map((byte) => alphabet[byte % alphabet.length])
        .join("");
      if (looksLikeSecret(token)) found++;
    }
    // About 1% of random 32-character tokens have no digit or read like words.
    expect(found).toBeGreaterThanOrEqual(970);
    for (const text of [
      crypto.randomBytes(20).toString("hex"),
      crypto.randomBytes(32).toString("hex"),
      "550e8400-e29b-41d4-a716-446655440000",
      "getUserProfileByIdentifierAndOrganization2",
      "src/components/UserProfile2/ProfileSettingsPanel",
      "AWSLambdaBasicExecutionRole2023",
    ]) {
      expect({ text, secret: looksLikeSecret(text) }).toEqual({ text, secret: false });
    }
    expect(entropy("aaaa")).toBe(0);
    expect(entropy("abcd")).toBe(2);
  });

  it("recognises the provider key prefixes", () => {
    const scrubber = scrubberOf({ detectors: { api_key: "redact" } });
    for (const key of [
      "sk-ant-api03-" + "a".repeat(30) + "B9",
      "sk-" + "Ab1".repeat(10),
      "AKIAIOSFODNN7EXAMPLE",
      "ghp_" + "x".repeat(36),
      "xoxb-1234567890-abcdefghij",
      "AIzaSyA-1234567890abcdefghijklmnopqrstu",
      "sk_live_" + "c".repeat(24),
      "hf_" + "d".repeat(34),
      "glpat-" + "e".repeat(20),
    ]) {
      expect(scrubber.scrub(`key=${key};`)).toBe("key=[REDACTED:API_KEY];");
    }
  });
});

describe("custom patterns", () => {
  it("accepts patterns that run in bounded time", () => {
    for (const pattern of ["EMP-\\d{6}", "[A-Z]{2}\\d{7}", "(?:ACME|acme)-[0-9a-f]{8}", "(\\d{3}-){2}\\d{4}", "case #\\d+", "(?<id>[A-Z]{3})-\\d{4}"]) {
      expect({ pattern, reason: unsafePatternReason(pattern) }).toEqual({ pattern, reason: undefined });
    }
  });

  it("refuses nested quantifiers, quantified alternatives, back-references, empty matches and invalid syntax", () => {
    expect(unsafePatternReason("(a+)+$")).toMatch(/holds a quantifier/);
    expect(unsafePatternReason("(\\w*\\s?)*x")).toMatch(/holds a quantifier/);
    expect(unsafePatternReason("((ab)*c)+")).toMatch(/holds a quantifier/);
    expect(unsafePatternReason("(a|ab)+c")).toMatch(/holds alternatives/);
    expect(unsafePatternReason("(?:x|y){2,}")).toMatch(/holds alternatives/);
    expect(unsafePatternReason("(a)\\1")).toMatch(/back-reference/);
    expect(unsafePatternReason("\\d*")).toMatch(/empty text/);
    expect(unsafePatternReason("(unclosed")).toMatch(/not a valid regular expression/);
    expect(unsafePatternReason("x".repeat(300))).toMatch(/longer than 256/);
  });

  it("the built-in detectors stay fast on long adversarial text", () => {
    const scrubber = scrubberOf({ detectors: Object.fromEntries(Object.keys(DETECTORS).map((name) => [name, "redact"])) });
    const inputs = ["a".repeat(100_000) + "@", "1".repeat(100_000), "1 ".repeat(50_000), "A1b2".repeat(25_000), "eyJ".repeat(30_000), "a:".repeat(50_000), "+1 ".repeat(30_000), "1.".repeat(50_000)];
    for (const input of inputs) {
      const started = process.hrtime.bigint();
      scrubber.scrub(input);
      const millis = Number(process.hrtime.bigint() - started) / 1e6;
      // Generous against a slow, shared machine; a quadratic scan of 100 000 characters takes tens of seconds.
      expect({ input: input.slice(0, 12), slow: millis > 2000 }).toEqual({ input: input.slice(0, 12), slow: false });
    }
  });
});
