import type * as NodeCrypto from "node:crypto";
import { BUILT_IN_DETECTORS, DETECTORS, stars } from "./detectors";
import type { Detector } from "./detectors";
import { textFeatures } from "./text-features";
import type { PrivacyAction, PrivacyDetectorsConfig } from "../contract/privacy";

/** What replaces the part of a value past the scan limit: it was not scanned, so it is not sent. */
export function truncationMarker(notScanned: number): string {
  return `[TRUNCATED:${notScanned} characters not scanned]`;
}

/** Hash tokens kept per detector. */
const MAX_CACHED_TOKENS = 1024;

/** How far back from the scan limit a cut looks for white space. */
const CUT_LOOKBACK = 256;

/**
 * Where a value longer than the limit is cut: at the last white space before the limit when there is one close by,
 * so that a value that straddles the limit goes whole with the part not scanned instead of leaving its first half;
 * else that far back, which no detector's find is longer than.
 */
function scanLimit(text: string, maxScanLength: number): number {
  for (let index = maxScanLength; index > maxScanLength - CUT_LOOKBACK && index > 0; index--) {
    const code = text.charCodeAt(index);
    if (code === 32 || code === 10 || code === 9 || code === 13) return index;
  }
  return maxScanLength - CUT_LOOKBACK;
}

/** One detector with its action, ready to run. */
interface ActiveDetector {
  readonly detector: Detector;
  readonly replace: (value: string) => string;
}

/** A find, for measuring the detectors (the corpus test) rather than replacing. */
export interface Finding {
  readonly detector: string;
  readonly value: string;
}

/** Scans text with the configured detectors, in order (custom ones first), and replaces each find by its action. */
export interface Scrubber {
  /** The text with every find replaced; the same string object when nothing was found. */
  scrub(text: string): string;
  /** Every find, without replacing (each detector still sees the text as the ones before it left it). */
  findings(text: string): Finding[];
}

/**
 * The parts of `node:crypto` the hash action needs, handed in by the caller: core loads the module only when a
 * privacy processor is built, never at `import "@llmops/core"`.
 */
export type ScrubberCrypto = Pick<typeof NodeCrypto, "createHmac" | "randomBytes">;

/** A salt for the process when `hash` is used with none configured: tokens then match within this process only. */
let processSalt: string | undefined;

function replacement(detector: Detector, action: PrivacyAction, salt: string, { createHmac }: ScrubberCrypto): (value: string) => string {
  switch (action) {
    case "mask":
      return detector.mask;
    case "hash": {
      // A value is usually in several attributes of a span (the request JSON and the message) and in many spans: its
      // token is kept for a while rather than computed again. Bounded: emptied when full.
      const tokens = new Map<string, string>();
      return (value) => {
        const normalized = detector.normalize?.(value) ?? value;
        let token = tokens.get(normalized);
        if (token === undefined) {
          const digest = createHmac("sha256", salt).update(`${detector.name}\u0000${normalized}`).digest("hex");
          token = `[${detector.label}:${digest.slice(0, 12)}]`;
          if (tokens.size >= MAX_CACHED_TOKENS) tokens.clear();
          tokens.set(normalized, token);
        }
        return token;
      };
    }
    default:
      return () => `[REDACTED:${detector.label}]`;
  }
}

/** A detector made from a custom pattern of the configuration (checked by validation). */
function customDetector(name: string, pattern: string, ignoreCase: boolean): Detector {
  return {
    name,
    label: name.toUpperCase(),
    patterns: [new RegExp(pattern, ignoreCase ? "gi" : "g")],
    mask: (value) => (value.length <= 1 ? "*" : value.charAt(0) + stars(value.length - 1)),
  };
}

/**
 * Builds the scrubber of a `privacy:` section, or undefined when no detector is on (then nothing is installed and
 * spans cost nothing more).
 */
export function createScrubber(config: PrivacyDetectorsConfig | undefined, crypto: ScrubberCrypto): Scrubber | undefined {
  if (config === undefined) return undefined;
  const salt = config.salt ?? (processSalt ??= crypto.randomBytes(32).toString("hex"));
  const active: ActiveDetector[] = [];
  for (const custom of config.custom) {
    if (custom.action === "off") continue;
    const detector = customDetector(custom.name, custom.pattern, custom.ignoreCase);
    active.push({ detector, replace: replacement(detector, custom.action, salt, crypto) });
  }
  for (const name of BUILT_IN_DETECTORS) {
    const action = config.detectors[name];
    if (action === undefined || action === "off") continue;
    const detector = DETECTORS[name];
    active.push({ detector, replace: replacement(detector, action, salt, crypto) });
  }
  if (active.length === 0) return undefined;
  const maxScanLength = config.maxScanLength;

  const run = (text: string, onFind: (active: ActiveDetector, value: string) => string): string => {
    const scanned = text.length > maxScanLength ? scanLimit(text, maxScanLength) : text.length;
    let current = scanned < text.length ? text.slice(0, scanned) : text;
    // One pass tells which detectors can find anything; replacements only take shapes away, so it holds throughout.
    const features = textFeatures(current);
    for (const entry of active) {
      const { detector } = entry;
      if (detector.mayContain !== undefined && !detector.mayContain(features)) continue;
      const { accept, trailing } = detector;
      for (const pattern of detector.patterns) {
        current = current.replace(pattern, (match) => {
          const tail = trailing === undefined ? "" : (trailing.exec(match)?.[0] ?? "");
          const found = tail === "" ? match : match.slice(0, match.length - tail.length);
          return accept === undefined || accept(found) ? onFind(entry, found) + tail : match;
        });
      }
    }
    if (scanned < text.length) current += truncationMarker(text.length - scanned);
    return current;
  };
  return {
    scrub: (text) => {
      const result = run(text, (entry, value) => entry.replace(value));
      // The same object when nothing changed, so that the processor writes only what it changed.
      return result === text ? text : result;
    },
    findings: (text) => {
      const found: Finding[] = [];
      run(text, (entry, value) => {
        found.push({ detector: entry.detector.name, value });
        return `\u0000${entry.detector.label}\u0000`;
      });
      return found;
    },
  };
}
