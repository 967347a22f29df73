// Writes corpus.jsonl: synthetic strings labelled with the personal data and secrets they hold, for the detector
// accuracy test (privacy-corpus.test.ts). Deterministic (a seeded generator): running it again writes the same file.
//
//   node packages/core/test/privacy-corpus/generate.mjs [output file, corpus.jsonl next to this script by default]
//
// Every value is made up: names from a short list, reserved example domains, card and IBAN numbers that pass their
// checksums but belong to no one, documentation IP ranges where possible, keys of random characters.
import { writeFileSync } from "node:fs";

let seed = 0x5eed1234;
/** mulberry32: a small seeded generator, so the corpus is the same on every run. */
function random() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (low, high) => low + Math.floor(random() * (high - low + 1));
const pick = (list) => list[int(0, list.length - 1)];
const digits = (count) => Array.from({ length: count }, () => int(0, 9)).join("");
const chars = (alphabet, count) => Array.from({ length: count }, () => pick(alphabet)).join("");
const LOWER = [..."abcdefghijklmnopqrstuvwxyz"];
const UPPER = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZ"];
const DIGIT = [..."0123456789"];
const HEX = [..."0123456789abcdef"];
const BASE62 = [...LOWER, ...UPPER, ...DIGIT];
const BASE64URL = [...BASE62, "-", "_"];

const FIRST = ["john", "maria", "li", "ahmed", "sofia", "kenji", "olga", "pierre", "amara", "lucas", "nina", "raj", "eva", "tom", "zoe"];
const LAST = ["smith", "garcia", "wang", "hassan", "rossi", "tanaka", "ivanova", "dubois", "okafor", "silva", "berg", "patel", "novak", "lee"];
const DOMAINS = ["example.com", "example.org", "example.net", "mail.example.co.uk", "corp.example.io", "example.de", "test.example.fr", "example.com.au"];

/** Sentences a string is placed in: chat prompts, answers, JSON, logs. */
const TEMPLATES = [
  (value) => `Please contact me at ${value} as soon as possible.`,
  (value) => `My details: ${value}.`,
  (value) => `{"role":"user","content":"use ${value} for the account"}`,
  (value) => `Sure! I have noted ${value}, anything else?`,
  (value) => `${value}`,
  (value) => `user said: "${value}"`,
  (value) => `- field: ${value}\n- status: ok`,
  (value) => `(${value})`,
  (value) => `Le client a donné ${value} hier.`,
  (value) => `Error while processing request for ${value}: timeout`,
];

const entries = [];
const add = (text, pii, note) => entries.push({ text, pii, ...(note === undefined ? {} : { note }) });
const positive = (kind, value) => add(pick(TEMPLATES)(value), [{ kind, value }]);

// --- emails ---
function email() {
  const first = pick(FIRST);
  const last = pick(LAST);
  const local = pick([`${first}`, `${first}.${last}`, `${first}_${last}${int(1, 99)}`, `${first[0]}${last}`, `${first}+news`, `${first}.${last}-${int(1, 9)}`]);
  const value = `${local}@${pick(DOMAINS)}`;
  return random() < 0.15 ? value.replace(/^./, (char) => char.toUpperCase()) : value;
}
for (let index = 0; index < 45; index++) positive("email", email());

// --- phone numbers ---
function phone() {
  const forms = [
    () => `+1 (${int(201, 989)}) 555-${digits(4)}`,
    () => `+1 ${int(201, 989)}-555-${digits(4)}`,
    () => `+44 20 7946 ${digits(4)}`,
    () => `+44 7700 900${digits(3)}`,
    () => `+49 30 ${digits(8)}`,
    () => `+49 (0)89 ${digits(7)}`,
    () => `+33 1 ${digits(2)} ${digits(2)} ${digits(2)} ${digits(2)}`,
    () => `+33 6 ${digits(2)} ${digits(2)} ${digits(2)} ${digits(2)}`,
    () => `+81 3-${digits(4)}-${digits(4)}`,
    () => `+61 2 ${digits(4)} ${digits(4)}`,
    () => `+91 ${int(70000, 99999)} ${digits(5)}`,
    () => `+55 11 9${digits(4)}-${digits(4)}`,
    () => `+1${int(201, 989)}555${digits(4)}`,
    () => `+4420794${digits(5)}`,
    () => `(${int(201, 989)}) 555-${digits(4)}`,
    () => `${int(201, 989)}-555-${digits(4)}`,
    () => `${int(201, 989)}.555.${digits(4)}`,
    () => `020 7946 ${digits(4)}`,
    () => `06 ${digits(2)} ${digits(2)} ${digits(2)} ${digits(2)}`,
    () => `030 ${digits(6)}`,
  ];
  return pick(forms)();
}
for (let index = 0; index < 45; index++) positive("phone", phone());

// --- payment cards ---
function luhnComplete(partial) {
  for (let check = 0; check <= 9; check++) {
    const candidate = partial + check;
    let sum = 0;
    let double = false;
    for (let index = candidate.length - 1; index >= 0; index--) {
      let digit = Number(candidate[index]);
      if (double) {
        digit *= 2;
        if (digit > 9) digit -= 9;
      }
      sum += digit;
      double = !double;
    }
    if (sum % 10 === 0) return candidate;
  }
  throw new Error("unreachable");
}
function card(valid = true) {
  const brand = pick(["visa", "visa", "mastercard", "mastercard2", "amex", "discover", "jcb"]);
  const prefix = { visa: "4", mastercard: String(int(51, 55)), mastercard2: String(int(2221, 2720)), amex: pick(["34", "37"]), discover: "6011", jcb: String(int(3528, 3589)) }[brand];
  const length = brand === "amex" ? 15 : 16;
  let number = luhnComplete(prefix + digits(length - prefix.length - 1));
  if (!valid) number = number.slice(0, -1) + ((Number(number.at(-1)) + int(1, 9)) % 10);
  const groups = brand === "amex" ? [number.slice(0, 4), number.slice(4, 10), number.slice(10)] : number.match(/.{4}/g);
  return pick([number, groups.join(" "), groups.join("-")]);
}
for (let index = 0; index < 45; index++) positive("payment_card", card());

// --- IBANs ---
const IBAN_FORMS = {
  DE: () => digits(18),
  GB: () => chars(UPPER, 4) + digits(14),
  FR: () => digits(10) + chars([...UPPER, ...DIGIT], 11) + digits(2),
  NL: () => chars(UPPER, 4) + digits(10),
  ES: () => digits(20),
  IT: () => chars(UPPER, 1) + digits(10) + chars([...UPPER, ...DIGIT], 12),
  CH: () => digits(17),
  BE: () => digits(12),
  AT: () => digits(16),
  PL: () => digits(24),
};
function ibanChecked(country, bban) {
  const numeric = [...(bban + country + "00")].map((char) => (/[A-Z]/.test(char) ? String(char.charCodeAt(0) - 55) : char)).join("");
  let remainder = 0;
  for (const char of numeric) remainder = (remainder * 10 + Number(char)) % 97;
  return country + String(98 - remainder).padStart(2, "0") + bban;
}
function iban(valid = true) {
  const country = pick(Object.keys(IBAN_FORMS));
  let value = ibanChecked(country, IBAN_FORMS[country]());
  if (!valid) value = value.slice(0, 2) + String((Number(value.slice(2, 4)) + int(1, 50)) % 100).padStart(2, "0") + value.slice(4);
  return random() < 0.5 ? value : value.match(/.{1,4}/g).join(" ");
}
for (let index = 0; index < 40; index++) positive("iban", iban());

// --- IP addresses ---
function ipv6() {
  const groups = Array.from({ length: 8 }, () => chars(HEX, int(1, 4)));
  groups[0] = pick(["2001", "fe80", "2a00", "2606", "fd12"]);
  const form = int(0, 3);
  if (form === 0) return groups.join(":");
  if (form === 1) return `${groups.slice(0, 3).join(":")}::${groups.slice(6).join(":")}`;
  if (form === 2) return `${groups[0]}::${groups[7]}`;
  return pick(["::1", `::ffff:192.0.2.${int(1, 254)}`, `2001:db8::${int(1, 99)}`]);
}
function ip() {
  return random() < 0.6
    ? pick([
        `192.0.2.${int(1, 254)}`,
        `198.51.100.${int(1, 254)}`,
        `203.0.113.${int(1, 254)}`,
        `10.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`,
        `172.16.${int(0, 255)}.${int(1, 254)}`,
        `${int(1, 223)}.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`,
      ])
    : ipv6();
}
for (let index = 0; index < 45; index++) positive("ip_address", ip());

// --- JWTs ---
const base64url = (text) => Buffer.from(text).toString("base64url");
function jwt() {
  const header = base64url(JSON.stringify({ alg: pick(["HS256", "RS256", "ES256"]), typ: "JWT" }));
  const payload = base64url(JSON.stringify({ sub: digits(int(4, 10)), name: `${pick(FIRST)} ${pick(LAST)}`, iat: 1700000000 + int(0, 9999999) }));
  return `${header}.${payload}.${chars(BASE64URL, pick([43, 86, 342]))}`;
}
for (let index = 0; index < 35; index++) {
  const token = jwt();
  add(pick(TEMPLATES)(random() < 0.3 ? `Bearer ${token}` : token), [{ kind: "jwt", value: token }]);
}

// --- API keys and secrets ---
function apiKey() {
  const forms = [
    () => `sk-proj-${chars(BASE64URL, 48)}`,
    () => `sk-${chars(BASE62, 48)}`,
    () => `sk-ant-api03-${chars(BASE64URL, 93)}AA`,
    () => `AKIA${chars([...UPPER, ...DIGIT], 16)}`,
    () => `ghp_${chars(BASE62, 36)}`,
    () => `github_pat_${chars(BASE62, 22)}_${chars(BASE62, 59)}`,
    () => `xoxb-${digits(11)}-${digits(12)}-${chars(BASE62, 24)}`,
    () => `AIza${chars(BASE64URL, 35)}`,
    () => `sk_live_${chars(BASE62, 24)}`,
    () => `hf_${chars(BASE62, 34)}`,
    () => `glpat-${chars(BASE64URL, 20)}`,
    // Secrets without a prefix: random tokens, an AWS secret access key.
    () => chars(BASE62, pick([32, 40, 48])),
    () => chars([...BASE62, "+", "/"], 40),
  ];
  return pick(forms)();
}
for (let index = 0; index < 50; index++) positive("api_key", apiKey());

// --- several kinds in one string ---
for (let index = 0; index < 25; index++) {
  const mail = email();
  const number = card();
  const key = apiKey();
  add(`Hi, I'm ${pick(FIRST)} (${mail}). Charge card ${number} and use key ${key} for the API.`, [
    { kind: "email", value: mail },
    { kind: "payment_card", value: number },
    { kind: "api_key", value: key },
  ]);
}
for (let index = 0; index < 15; index++) {
  const number = phone();
  const address = ip();
  add(`Call ${number} if the server at ${address} is down.`, [
    { kind: "phone", value: number },
    { kind: "ip_address", value: address },
  ]);
}

// --- near misses: no personal data, no secret ---
const negative = (text, note) => add(text, [], note);
const uuid = () => `${chars(HEX, 8)}-${chars(HEX, 4)}-4${chars(HEX, 3)}-${pick(["8", "9", "a", "b"])}${chars(HEX, 3)}-${chars(HEX, 12)}`;
const sha = () => chars(HEX, 40);
const nearMisses = [
  ["version", () => `Upgraded to v${int(0, 20)}.${int(0, 40)}.${int(0, 99)} yesterday`],
  ["version", () => `node ${int(18, 24)}.${int(0, 20)}.${int(0, 9)}, npm ${int(8, 11)}.${int(0, 9)}.${int(0, 9)}`],
  ["version", () => `version ${int(1, 9)}.${int(0, 9)}.${int(0, 9)}-beta.${int(1, 9)}`],
  ["version", () => `Chrome/${int(100, 130)}.0.${int(4000, 6999)}.${int(10, 200)} Safari/537.36`],
  ["version", () => `Windows 10.0.${int(19041, 22631)}.${int(1000, 4000)}`],
  ["version", () => `pkg@${int(1, 9)}.${int(0, 9)}.${int(0, 9)} installed`],
  ["order id", () => `Order ORD-${int(2019, 2026)}-${digits(6)} has shipped`],
  ["order id", () => `Invoice INV-${digits(5)}-${int(2019, 2026)} is due`],
  ["order id", () => `order #${digits(9)} confirmed`],
  ["order id", () => `PO ${digits(10)} approved`],
  ["order id", () => `ticket JIRA-${digits(4)} and PR #${digits(4)}`],
  ["order id", () => `tracking number 1Z${chars([...UPPER, ...DIGIT], 16)}`],
  ["order id", () => `SKU ${chars(UPPER, 3)}-${digits(4)}-${chars(UPPER, 2)}`],
  [
    "timestamp",
    () =>
      `2024-${String(int(1, 12)).padStart(2, "0")}-${String(int(1, 28)).padStart(2, "0")}T${String(int(0, 23)).padStart(2, "0")}:${String(int(0, 59)).padStart(2, "0")}:${String(int(0, 59)).padStart(2, "0")}Z`,
  ],
  ["timestamp", () => `at 2025-0${int(1, 9)}-1${int(0, 9)} 1${int(0, 9)}:2${int(0, 9)}:3${int(0, 9)}.${digits(3)} the job ran`],
  ["timestamp", () => `epoch ${int(1600000000, 1800000000)} (ms ${int(1600000000, 1800000000)}${digits(3)})`],
  ["timestamp", () => `took ${int(0, 23)}:${String(int(0, 59)).padStart(2, "0")}:${String(int(0, 59)).padStart(2, "0")} hh:mm:ss`],
  ["timestamp", () => `Mon, ${int(1, 28)} Jan 2024 ${int(10, 23)}:${int(10, 59)}:${int(10, 59)} GMT`],
  ["date", () => `due ${String(int(1, 28)).padStart(2, "0")}/${String(int(1, 12)).padStart(2, "0")}/20${int(20, 30)}`],
  ["date", () => `born 19${int(50, 99)}-${String(int(1, 12)).padStart(2, "0")}-${String(int(1, 28)).padStart(2, "0")}`],
  ["date", () => `20${int(20, 30)}.${String(int(1, 12)).padStart(2, "0")}.${String(int(1, 28)).padStart(2, "0")} release`],
  ["date", () => `between ${int(1, 12)}-${int(1, 28)}-20${int(20, 30)} and ${int(1, 12)}-${int(1, 28)}-20${int(20, 30)}`],
  ["uuid", () => `request ${uuid()} failed`],
  ["uuid", () => `{"id":"${uuid().toUpperCase()}"}`],
  ["git sha", () => `commit ${sha()}`],
  ["git sha", () => `fixed in ${sha().slice(0, 7)} and ${sha().slice(0, 12)}`],
  ["hash", () => `sha256: ${chars(HEX, 64)}`],
  ["trace id", () => `trace ${chars(HEX, 32)} span ${chars(HEX, 16)}`],
  ["price", () => `Total: $${int(1, 99)},${digits(3)}.${digits(2)}`],
  ["price", () => `€ ${int(1, 999)}.${digits(2)} incl. VAT`],
  ["price", () => `${int(1, 9)} ${digits(3)} ${digits(3)},${digits(2)} €`],
  ["price", () => `USD ${int(1, 99)},${digits(3)},${digits(3)}.${digits(2)}`],
  ["number", () => `population ${int(1, 9)},${digits(3)},${digits(3)},${digits(3)}`],
  ["number", () => `${digits(16).replace(/^0/, "1")} is a random count`],
  ["number", () => `pi is ${int(3, 3)}.${digits(15)}`],
  ["card near miss", () => `card ${card(false)} (checksum fails)`],
  ["iban near miss", () => `IBAN ${iban(false)} (checksum fails)`],
  ["ip near miss", () => `${int(256, 999)}.${int(0, 255)}.${int(0, 255)}.${int(0, 255)} is not an address`],
  ["ip near miss", () => `MAC ${Array.from({ length: 6 }, () => chars([..."0123456789ABCDEF"], 2)).join(":")}`],
  ["ip near miss", () => `std::vector<int> and Foo::bar()`],
  ["email near miss", () => `follow @${pick(FIRST)}_${pick(LAST)} on social media`],
  ["email near miss", () => `${pick(FIRST)} at example dot com`],
  ["email near miss", () => `import from "@scope/pkg@${int(1, 9)}.${int(0, 9)}.${int(0, 9)}"`],
  ["email near miss", () => `decorator @${pick(["Injectable", "Component", "Get"])}() on line ${int(1, 400)}`],
  ["jwt near miss", () => `header eyJhbGciOiJIUzI1NiJ9 only`],
  ["jwt near miss", () => `base64 ${Buffer.from(`${pick(FIRST)} ${pick(LAST)}`).toString("base64")}`],
  ["key near miss", () => `task-runner-${int(2019, 2026)} and sk-${pick(["learn", "image", "test"])}`],
  ["key near miss", () => `getUserProfileByIdentifierAndOrganization(${int(1, 9)})`],
  ["key near miss", () => `src/components/UserProfile${int(1, 9)}/ProfileSettingsPanel.tsx`],
  ["key near miss", () => `${pick(["CONSTANT_NAME_FOR_THE_MAXIMUM_RETRY_COUNT", "DEFAULT_OPENAI_MODEL_NAME_V2", "ANTHROPIC_API_KEY_ENVIRONMENT"])}`],
  ["key near miss", () => `model gpt-4o-2024-08-06 and claude-3-5-sonnet-20241022`],
  ["key near miss", () => `https://example.com/search?q=privacy+masking&page=${int(1, 9)}`],
  ["key near miss", () => `Pneumonoultramicroscopicsilicovolcanoconiosis is a long word`],
  ["phone near miss", () => `SSN-like ${digits(3)}-${digits(2)}-${digits(4)} is not in scope`],
  ["phone near miss", () => `score ${int(10, 99)}-${int(10, 99)} after ${int(1, 9)} rounds`],
  ["phone near miss", () => `range 1${digits(3)}-2${digits(3)} and 3${digits(3)}-4${digits(3)}`],
  ["phone near miss", () => `+${int(1, 9)}${int(0, 9)}% growth`],
  ["phone near miss", () => `ISBN 978-${int(0, 9)}-${digits(2)}-${digits(6)}-${int(0, 9)}`],
  ["phone near miss", () => `coordinates ${int(10, 80)}.${digits(6)}, -${int(10, 170)}.${digits(6)}`],
  ["phone near miss", () => `ids ${digits(4)} ${digits(4)} ${digits(4)} in the batch`],
  ["key near miss", () => pick(["iPhone15ProMaxUltraEdition2024", "AWSLambdaBasicExecutionRole2023", "Base64EncodedImageDataV2Format", "MyComponent2WithHooksAndState3"])],
  ["key near miss", () => `${pick(LOWER)}${chars([...LOWER, ...DIGIT], 31)} (lower-case token)`],
  ["key near miss", () => `data:image/png;base64,iVBORw0KGgo=`],
  ["ip near miss", () => `${int(1, 9)}.${int(0, 9)}.${int(0, 9)}-rc.${int(1, 9)} released`],
  ["llm id", () => `{"id":"chatcmpl-${chars(BASE62, 29)}","object":"chat.completion"}`],
  ["llm id", () => `tool call call_${chars(BASE62, 24)} and message msg_01${chars(BASE62, 22)}`],
  ["llm id", () => `{"type":"tool_use","id":"toolu_01${chars(BASE62, 22)}"}`],
];
for (let round = 0; round < 5; round++) for (const [note, make] of nearMisses) negative(make(), note);
const PLAIN = [
  "What is the capital of France?",
  "The capital of France is Paris.",
  "Summarize the following article in three sentences.",
  "You are a helpful assistant that answers briefly.",
  "I could not find any matching documents.",
  "Translate 'good morning' into Spanish.",
  "Buenos días.",
  "Write a haiku about autumn leaves.",
  "The meeting moved to room 4B on the 3rd floor.",
  "Temperature is 21.5 degrees with 60% humidity.",
  "Step 1: open the settings. Step 2: click Save.",
  "Return the result as JSON with keys name and score.",
];
for (const text of PLAIN) negative(text, "plain text");

// One entry a line: a change to the generator shows as a readable diff.
writeFileSync(process.argv[2] ?? new URL("./corpus.jsonl", import.meta.url), entries.map((entry) => `${JSON.stringify(entry)}\n`).join(""));
console.log(`${entries.length} strings, ${entries.filter((entry) => entry.pii.length > 0).length} with personal data or secrets`);
