import type { TextFeatures } from "./text-features";

// Inside JSON text (`input.value`, tool arguments) a value may follow an escape such as `\n`: the patterns take the
// letter of an escape for a boundary, so "\\njane@example.com" gives "jane@example.com", the same value as elsewhere.
//
// The built-in detectors: each one a candidate pattern that V8 runs in linear time (every match starts only at the
// beginning of a run of its characters, each quantifier is bounded or consumes a fixed shape) and a check in code that
// keeps only real finds (Luhn for cards, mod-97 for IBANs, the address rules for IPv6...).

/** The names of the built-in detectors, in the order they run. */
export const BUILT_IN_DETECTORS = ["jwt", "email", "api_key", "iban", "payment_card", "ip_address", "phone"] as const;

/** One built-in detector's name. */
export type BuiltInDetectorName = (typeof BUILT_IN_DETECTORS)[number];

/** A detector: where to look, what to keep, how its finds are masked and normalized for hashing. */
export interface Detector {
  /** Config name, e.g. `email`. */
  readonly name: string;
  /** Upper-case label in replacements, e.g. `EMAIL` in `[REDACTED:EMAIL]`. */
  readonly label: string;
  /** Global patterns of candidates, run one after the other. */
  readonly patterns: readonly RegExp[];
  /** A cheap test, on what one pass over the text found, that it may hold a find at all; false skips the patterns. */
  readonly mayContain?: (features: TextFeatures) => boolean;
  /** What a candidate may end with that is not part of the find (given back as it was). */
  readonly trailing?: RegExp;
  /** Whether a candidate is a real find. */
  readonly accept?: (candidate: string) => boolean;
  /** The `mask` replacement. */
  readonly mask: (value: string) => string;
  /** The form that is hashed, so that spellings of one value give one token (case, separators). */
  readonly normalize?: (value: string) => string;
}

/** Stars for a hidden part, by length class (1–8, 9–16, 17 or more characters), never the exact length. */
export function stars(length: number): string {
  return length <= 8 ? "***" : length <= 16 ? "******" : "*********";
}

/** The first character and stars for the rest. */
function keepFirst(value: string): string {
  return value.length === 0 ? value : value.charAt(0) + stars(value.length - 1);
}

/** Every digit but the last `keep` ones as `*`, separators kept. */
function maskDigits(value: string, keep: number): string {
  let digitsLeft = value.replace(/\D/g, "").length;
  let out = "";
  for (const char of value) {
    if (char >= "0" && char <= "9") {
      out += digitsLeft > keep ? "*" : char;
      digitsLeft -= 1;
    } else out += char;
  }
  return out;
}

const digitsOnly = (value: string): string => value.replace(/\D/g, "");

// --- email ---------------------------------------------------------------------------------------------------------

function maskEmail(value: string): string {
  const at = value.lastIndexOf("@");
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  const dot = domain.lastIndexOf(".");
  return `${keepFirst(local)}@${keepFirst(domain.slice(0, dot))}${domain.slice(dot)}`;
}

const email: Detector = {
  name: "email",
  label: "EMAIL",
  patterns: [/(?<!\\)(?<!(?<!\\)[\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}(?![\w-]|\.[A-Za-z0-9])/g],
  mayContain: (features) => features.at,
  mask: maskEmail,
  normalize: (value) => value.toLowerCase(),
};

// --- payment card --------------------------------------------------------------------------------------------------

/** The Luhn check every card number passes. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let index = digits.length - 1; index >= 0; index--) {
    let digit = digits.charCodeAt(index) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

/** Issuer prefixes and lengths of the card networks (Visa, Mastercard, Amex, Discover, JCB, Diners, UnionPay, Maestro). */
function knownIssuer(digits: string): boolean {
  const length = digits.length;
  const two = Number(digits.slice(0, 2));
  const four = Number(digits.slice(0, 4));
  if (digits.startsWith("4")) return length === 13 || length === 16 || length === 19;
  if ((two >= 51 && two <= 55) || (four >= 2221 && four <= 2720)) return length === 16;
  if (two === 34 || two === 37) return length === 15;
  if (digits.startsWith("6011") || digits.startsWith("65") || (four >= 6440 && four <= 6499)) return length >= 16 && length <= 19;
  if (four >= 3528 && four <= 3589) return length >= 16 && length <= 19;
  if (two === 36 || two === 38 || two === 39 || (four >= 3000 && four <= 3059)) return length >= 14 && length <= 19;
  if (two === 62) return length >= 16 && length <= 19;
  if (two === 50 || (two >= 56 && two <= 69)) return length >= 12 && length <= 19;
  return false;
}

const payment_card: Detector = {
  name: "payment_card",
  label: "CARD",
  patterns: [/(?<![\d.,-])\d(?:[ -]?\d){11,18}(?![\d]|[.,-]\d)/g],
  mayContain: (features) => features.cardDigits >= 12,
  accept(candidate) {
    const separators = candidate.replace(/\d/g, "");
    // One kind of separator at most, as cards are written: "4111 1111 1111 1111", "4111-1111-1111-1111".
    if (separators.length > 0 && (separators.length > 4 || !/^( +|-+)$/.test(separators))) return false;
    const digits = digitsOnly(candidate);
    return knownIssuer(digits) && luhnValid(digits);
  },
  mask: (value) => maskDigits(value, 4),
  normalize: digitsOnly,
};

// --- IBAN ----------------------------------------------------------------------------------------------------------

/** IBAN lengths by country (the SWIFT registry); a country not listed is checked for 15–34 characters. */
const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24,
  AE: 23,
  AL: 28,
  AT: 20,
  AZ: 28,
  BA: 20,
  BE: 16,
  BG: 22,
  BH: 22,
  BR: 29,
  CH: 21,
  CR: 22,
  CY: 28,
  CZ: 24,
  DE: 22,
  DK: 18,
  DO: 28,
  EE: 20,
  EG: 29,
  ES: 24,
  FI: 18,
  FO: 18,
  FR: 27,
  GB: 22,
  GE: 22,
  GI: 23,
  GL: 18,
  GR: 27,
  GT: 28,
  HR: 21,
  HU: 28,
  IE: 22,
  IL: 23,
  IS: 26,
  IT: 27,
  JO: 30,
  KW: 30,
  KZ: 20,
  LB: 28,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  MC: 27,
  MD: 24,
  ME: 22,
  MK: 19,
  MR: 27,
  MT: 31,
  MU: 30,
  NL: 18,
  NO: 15,
  PK: 24,
  PL: 28,
  PS: 29,
  PT: 25,
  QA: 29,
  RO: 24,
  RS: 22,
  SA: 24,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  TN: 24,
  TR: 26,
  UA: 29,
  VG: 24,
  XK: 20,
};

/** ISO 13616 check: the rearranged number, letters as 10–35, is 1 modulo 97. */
export function ibanValid(compact: string): boolean {
  const country = compact.slice(0, 2);
  const expected = IBAN_LENGTHS[country];
  if (expected === undefined ? compact.length < 15 || compact.length > 34 : compact.length !== expected) return false;
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const code = char.charCodeAt(0);
    const value = code >= 65 ? code - 55 : code - 48;
    remainder = value >= 10 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
  }
  return remainder === 1;
}

const iban: Detector = {
  name: "iban",
  label: "IBAN",
  patterns: [/(?<!\\)(?<!(?<!\\)[A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![A-Za-z0-9])/g],
  mayContain: (features) => features.upperRun >= 15,
  accept: (candidate) => ibanValid(candidate.replace(/ /g, "")),
  mask(value) {
    // The country code and the last four characters stay; the check digits and the rest become stars.
    const total = value.replace(/ /g, "").length;
    let position = 0;
    let out = "";
    for (const char of value) {
      if (char === " ") out += char;
      else {
        out += position < 2 || position >= total - 4 ? char : "*";
        position += 1;
      }
    }
    return out;
  },
  normalize: (value) => value.replace(/ /g, "").toUpperCase(),
};

// --- IP addresses --------------------------------------------------------------------------------------------------

const OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IPV4 = `(?:${OCTET}\\.){3}${OCTET}`;

/** Whether a candidate is an IPv6 address: eight groups, or fewer around one `::`, optionally ending in IPv4. */
export function ipv6Valid(candidate: string): boolean {
  let text = candidate;
  let groupsNeeded = 8;
  const lastColon = text.lastIndexOf(":");
  if (text.includes(".")) {
    if (!new RegExp(`^${IPV4}$`).test(text.slice(lastColon + 1))) return false;
    text = text.slice(0, lastColon + 1) + "0";
    groupsNeeded = 7;
  }
  const halves = text.split("::");
  if (halves.length > 2) return false;
  const groups = halves.flatMap((half) => (half === "" ? [] : half.split(":")));
  if (!groups.every((group) => /^[0-9A-Fa-f]{1,4}$/.test(group))) return false;
  const count = groups.length + (text.includes(".") ? 0 : 0);
  if (halves.length === 2 ? count > groupsNeeded - 1 : count !== groupsNeeded) return false;
  // "add::bed" (a C++ name) is hexadecimal too: an address has a digit somewhere.
  return /\d/.test(candidate);
}

const ip_address: Detector = {
  name: "ip_address",
  label: "IP",
  patterns: [new RegExp(`(?<!\\\\)(?<!(?<!\\\\)[\\w.:])(?:${IPV4}(?![\\w]|\\.\\d)|(?:[0-9A-Fa-f]{0,4}:){2,7}(?:${IPV4}|[0-9A-Fa-f]{1,4})?(?![\\w:]|\\.\\d))`, "g")],
  mayContain: (features) => features.dots >= 3 || features.colons >= 2,
  accept: (candidate) => (candidate.includes(":") ? ipv6Valid(candidate) : true),
  mask(value) {
    if (!value.includes(":")) return `${value.slice(0, value.indexOf("."))}.***.***.***`;
    return `${value.slice(0, value.indexOf(":"))}:****`;
  },
  normalize: (value) => value.toLowerCase(),
};

// --- phone numbers -------------------------------------------------------------------------------------------------

const phone: Detector = {
  name: "phone",
  label: "PHONE",
  patterns: [
    new RegExp(
      `(?<!\\\\)(?<!(?<!\\\\)[\\w+.:/-])(?<!\\d[ .-])(?:${[
        // International: +country code, then groups split by a space, a dash or a dot, an optional trunk or area code in
        // parentheses; or the compact E.164 form.
        "\\+[1-9]\\d{0,3}(?:[ .-]?\\(\\d{1,4}\\)[ .-]?\\d{1,10})?(?:[ .-]\\d{1,10}){1,6}",
        "\\+[1-9]\\d{7,14}",
        // North American: (415) 555-2671, 415-555-2671, 415.555.2671, 415 555 2671.
        "(?:\\(\\d{3}\\) ?|\\d{3}[ .-])\\d{3}[ .-]\\d{4}",
        // National numbers with a trunk 0: 020 7946 0958, 030 901820, 06 12 34 56 78.
        "0\\d{1,4}[ .-]\\d{3,4}[ .-]?\\d{3,4}",
        "0\\d(?:[ .]\\d{2}){4}",
      ].join("|")})(?![\\w]|[.:/-]\\d)`,
      "g",
    ),
  ],
  mayContain: (features) => features.phoneDigits >= 8,
  accept(candidate) {
    const digits = digitsOnly(candidate).length;
    if (digits < 8 || digits > 15) return false;
    // A separator used as in dates and versions only ("2024.01.15", "1.22.333.4444") is not a phone number's.
    if (!candidate.startsWith("+") && /^\d{4}[.-]\d{2}[.-]\d{2}/.test(candidate)) return false;
    return true;
  },
  mask: (value) => maskDigits(value, 2),
  normalize: (value) => (value.startsWith("+") ? "+" : "") + digitsOnly(value),
};

// --- JWT -----------------------------------------------------------------------------------------------------------

const jwt: Detector = {
  name: "jwt",
  label: "JWT",
  // A header and a payload that are base64url JSON objects (`{"` encodes as `eyJ`), and a signature (empty for `alg: none`).
  patterns: [/(?<!\\)(?<!(?<!\\)[\w-])eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*(?![\w-])/g],
  mayContain: (features) => features.jwt,
  mask: (value) => `eyJ${stars(value.length - 3)}`,
};

// --- API keys and other secrets ------------------------------------------------------------------------------------

/** Provider key shapes: the prefix that identifies the provider is kept by `mask`. */
const KEY_PREFIXES: readonly (readonly [prefix: string, body: string])[] = [
  ["sk-ant-(?:api|admin)\\d\\d-", "[A-Za-z0-9_-]{20,}"], // Anthropic
  ["sk-(?:proj-|svcacct-|admin-)?", "[A-Za-z0-9_-]{20,}"], // OpenAI, DeepSeek and other sk- keys
  ["(?:sk|pk|rk)_(?:live|test)_", "[A-Za-z0-9]{16,}"], // Stripe
  ["(?:AKIA|ASIA|ABIA|ACCA)", "[0-9A-Z]{16}"], // AWS access key ids
  ["gh[pousr]_", "[A-Za-z0-9]{30,}"], // GitHub tokens
  ["github_pat_", "[A-Za-z0-9_]{30,}"], // GitHub fine-grained tokens
  ["glpat-", "[A-Za-z0-9_-]{20,}"], // GitLab
  ["xox[abposre]-", "[A-Za-z0-9-]{10,}"], // Slack
  ["AIza", "[0-9A-Za-z_-]{35}"], // Google API keys
  ["hf_", "[A-Za-z0-9]{30,}"], // Hugging Face
  ["gsk_", "[A-Za-z0-9]{30,}"], // Groq
  ["r8_", "[A-Za-z0-9]{30,}"], // Replicate
  ["SG\\.", "[A-Za-z0-9_-]{16,}\\.[A-Za-z0-9_-]{16,}"], // SendGrid
  ["npm_", "[A-Za-z0-9]{30,}"], // npm
];
const PREFIXED_KEY = new RegExp(`^(?:${KEY_PREFIXES.map(([prefix]) => prefix).join("|")})`);
/** A whole run that is a provider's key. */
const PROVIDER_KEY = new RegExp(`^(?:${KEY_PREFIXES.map(([prefix, body]) => prefix + body).join("|")})$`);

/**
 * Ids the LLM APIs put in their requests and answers (completion, message, tool call, run, file ids): random-looking
 * but no secret, and needed to follow a conversation.
 */
const LLM_ID = /^(?:chatcmpl-|cmpl-|call_|msg_|toolu_|srvtoolu_|run_|step_|asst_|thread_|file-|req_|resp_|batch_|ft-|fc_|rs_|item_)/;

/** Shannon entropy of a string, in bits per character. */
export function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const share = count / text.length;
    bits -= share * Math.log2(share);
  }
  return bits;
}

/**
 * A token that looks random enough to be a secret: 24 to 256 characters of letters, digits and `+/_=-`, with upper-
 * and lower-case letters and digits all present (so no hexadecimal hash, git SHA or UUID), not made of words
 * (CamelCase names, paths), and an entropy that repeated characters do not reach.
 */
export function looksLikeSecret(token: string): boolean {
  if (LLM_ID.test(token)) return false;
  const body = token.replace(/=+$/, "");
  if (body.length < 24 || body.length > 256) return false;
  let upper = 0;
  let lower = 0;
  let digit = 0;
  for (let index = 0; index < body.length; index++) {
    const code = body.charCodeAt(index);
    if (code >= 65 && code <= 90) upper++;
    else if (code >= 97 && code <= 122) lower++;
    else if (code >= 48 && code <= 57) digit++;
  }
  if (upper === 0 || lower === 0 || digit === 0) return false;
  // Paths and identifiers split into short words: a secret has long runs without a separator.
  const longestPiece = Math.max(...body.split(/[/_-]/).map((piece) => piece.length));
  if (longestPiece < 16) return false;
  // CamelCase names and product names are mostly runs of lower-case letters; random characters seldom are.
  let wordlike = 0;
  for (const run of body.match(/[a-z]{4,}/g) ?? []) wordlike += run.length;
  if (wordlike / body.length > 0.4) return false;
  return entropy(body) >= 3.7 + Math.min(0.6, (body.length - 24) / 80);
}

const api_key: Detector = {
  name: "api_key",
  label: "API_KEY",
  // One pass over runs of token characters: a run is a key when it is a provider's key shape, or looks random enough.
  // Dots belong to a run inside it (SendGrid's SG.x.y); those at its end (a sentence's full stop) are given back.
  patterns: [/(?<!\\)(?:\b|(?<=\\[a-z]))[A-Za-z0-9+/_.-]{20,}={0,2}/g],
  trailing: /\.+$/,
  mayContain: (features) => features.tokenRun >= 20,
  accept: (candidate) => PROVIDER_KEY.test(candidate) || looksLikeSecret(candidate),
  mask(value) {
    const prefix = PREFIXED_KEY.exec(value)?.[0] ?? value.slice(0, 2);
    return prefix + stars(value.length - prefix.length);
  },
};

/** The built-in detectors by name. */
export const DETECTORS: Readonly<Record<BuiltInDetectorName, Detector>> = { jwt, email, api_key, iban, payment_card, ip_address, phone };
