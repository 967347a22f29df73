// One pass over a text that tells which detectors can have anything to find in it, so that most texts are scanned by
// one loop instead of one regular expression per detector: chat text seldom holds an "@", a run of twelve digits or a
// twenty-character token.

/** What one pass found in a text: the longest runs of the shapes the detectors look for. */
export interface TextFeatures {
  /** An "@" somewhere (email). */
  at: boolean;
  /** "eyJ" somewhere (JWT). */
  jwt: boolean;
  /** The longest run of token characters (letters, digits, `+/_-`; dots inside) (API keys). */
  tokenRun: number;
  /** The most digits in a run of digits with single spaces or dashes between them (payment cards). */
  cardDigits: number;
  /**
   * The most digits in a run of digits, spaces, dots, dashes, parentheses and "+" with at most two separators in a
   * row, that starts with "+", "(" or "0" or with a group of three digits (phone numbers).
   */
  phoneDigits: number;
  /** The longest run of upper-case letters and digits with single spaces between them (IBAN). */
  upperRun: number;
  /** The most dots in a run of digits and dots (IPv4). */
  dots: number;
  /** The most colons in a run of hexadecimal digits, colons and dots (IPv6). */
  colons: number;
}

const TOKEN = 1;
const DIGIT = 2;
const UPPER = 4;
const HEX = 8;
const CLASS = new Uint8Array(128);
for (let code = 48; code <= 57; code++) CLASS[code] = TOKEN | DIGIT | HEX;
for (let code = 65; code <= 90; code++) CLASS[code] = TOKEN | UPPER | (code <= 70 ? HEX : 0);
for (let code = 97; code <= 122; code++) CLASS[code] = TOKEN | (code <= 102 ? HEX : 0);
for (const char of "+/_-") CLASS[char.charCodeAt(0)] = TOKEN;

const AT = 64;
const DOT = 46;
const COLON = 58;
const SPACE = 32;
const DASH = 45;
const PLUS = 43;
const OPEN = 40;
const ZERO = 48;

/** Reads a text once. Lower-case letters and spaces, most of any text, take a short path. */
export function textFeatures(text: string): TextFeatures {
  let at = false;
  let jwt = false;
  let maxToken = 0;
  let maxCard = 0;
  let maxPhone = 0;
  let maxUpper = 0;
  let maxDots = 0;
  let maxColons = 0;
  let token = 0;
  let card = 0;
  let cardSeparator = false;
  let phone = 0;
  let phoneSeparators = 0;
  /** What a run of phone characters started with: "+", "(" or its first digit; a "+" or "(" waiting for a digit. */
  let phoneLead = 0;
  let pendingLead = 0;
  /** Digits before the run's first separator, and whether a separator came. */
  let firstGroup = 0;
  let grouped = false;
  let upper = 0;
  let upperSpace = false;
  let dots = 0;
  let dotted = false;
  let colons = 0;
  let hexRun = false;
  const length = text.length;
  for (let index = 0; index < length; index++) {
    const code = text.charCodeAt(index);
    if (code >= 97 && code <= 122) {
      // A run of lower-case letters at once: it only lengthens the token run and ends every other shape.
      let nonHex = code > 102;
      let end = index;
      for (let next = code; ;) {
        if (next === 101 && text.charCodeAt(end + 1) === 121 && text.charCodeAt(end + 2) === 74) jwt = true;
        end++;
        if (end >= length) break;
        next = text.charCodeAt(end);
        if (next < 97 || next > 122) break;
        if (next > 102) nonHex = true;
      }
      token += end - index;
      if (token > maxToken) maxToken = token;
      card = phone = upper = dots = pendingLead = 0;
      if (nonHex) colons = 0;
      hexRun = !nonHex;
      index = end - 1;
      continue;
    }
    if (code === SPACE) {
      token = dots = colons = 0;
      hexRun = false;
      if (card > 0 && !cardSeparator) cardSeparator = true;
      else card = 0;
      if (phone > 0) {
        grouped = true;
        if (++phoneSeparators > 2) phone = 0;
      } else pendingLead = 0;
      if (upper > 0 && !upperSpace) upperSpace = true;
      else upper = 0;
      continue;
    }
    const kind = code < 128 ? (CLASS[code] as number) : 0;
    // Token runs: a dot continues a run only between token characters.
    if ((kind & TOKEN) !== 0 || (code === DOT && token > 0)) {
      if (++token > maxToken) maxToken = token;
    } else token = 0;
    if ((kind & DIGIT) !== 0) {
      card = cardSeparator || card > 0 ? card + 1 : 1;
      cardSeparator = false;
      if (card > maxCard) maxCard = card;
      if (phone === 0) {
        phoneLead = pendingLead === 0 ? code : pendingLead;
        firstGroup = 0;
        grouped = false;
      }
      phone++;
      if (!grouped) firstGroup++;
      phoneSeparators = 0;
      pendingLead = 0;
      // Only runs shaped like the phone patterns count: "+…", "(…", a trunk "0…", or a first group of three digits.
      if (phone > maxPhone && (phoneLead === PLUS || phoneLead === OPEN || phoneLead === ZERO || (grouped && firstGroup === 3))) maxPhone = phone;
      dotted = false;
    } else {
      if (code === DASH && card > 0 && !cardSeparator) cardSeparator = true;
      else {
        card = 0;
        cardSeparator = false;
      }
      if (code === DOT || code === DASH || code === OPEN || code === 41 || code === PLUS) {
        if (phone > 0) {
          grouped = true;
          if (++phoneSeparators > 2) phone = 0;
        } else pendingLead = code === PLUS || code === OPEN ? code : 0;
      } else {
        phone = 0;
        phoneSeparators = 0;
        pendingLead = 0;
      }
      if (code === DOT) {
        dots = dotted ? 0 : dots + 1;
        dotted = true;
        if (dots > maxDots) maxDots = dots;
      } else {
        dots = 0;
        dotted = false;
      }
    }
    if ((kind & (UPPER | DIGIT)) !== 0) {
      upperSpace = false;
      if (++upper > maxUpper) maxUpper = upper;
    } else {
      upper = 0;
      upperSpace = false;
    }
    if (code === COLON) {
      colons = hexRun || colons > 0 ? colons + 1 : 1;
      if (colons > maxColons) maxColons = colons;
    } else if ((kind & HEX) === 0 && code !== DOT) {
      colons = 0;
      hexRun = false;
    } else hexRun = true;
    if (code === AT) at = true;
  }
  return { at, jwt, tokenRun: maxToken, cardDigits: maxCard, phoneDigits: maxPhone, upperRun: maxUpper, dots: maxDots, colons: maxColons };
}
