import * as crypto from "node:crypto";
// How well the built-in detectors do on a labelled synthetic corpus (test/privacy-corpus/corpus.jsonl, written by
// generate.mjs next to it): recall and precision per detector, printed, and bounds they must keep.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUILT_IN_DETECTORS } from "../src/privacy/detectors";
import { createScrubber } from "../src/privacy/scrubber";
import { DEFAULT_MAX_SCAN_LENGTH } from "../src/privacy/settings";

interface Entry {
  readonly text: string;
  readonly pii: readonly { readonly kind: string; readonly value: string }[];
  readonly note?: string;
}

const corpus = {
  entries: readFileSync(join(__dirname, "privacy-corpus", "corpus.jsonl"), "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Entry),
};

const MIN_RECALL = 0.98;
const MIN_PRECISION = 0.95;

test("the corpus holds several hundred strings, with and without each kind, near misses included", () => {
  expect(corpus.entries.length).toBeGreaterThanOrEqual(500);
  for (const kind of BUILT_IN_DETECTORS) expect(corpus.entries.filter((entry) => entry.pii.some((item) => item.kind === kind)).length).toBeGreaterThanOrEqual(30);
  expect(corpus.entries.filter((entry) => entry.pii.length === 0).length).toBeGreaterThanOrEqual(250);
});

test("the committed corpus is what its generator writes", () => {
  const folder = mkdtempSync(join(tmpdir(), "llmops-corpus-"));
  try {
    const written = join(folder, "corpus.jsonl");
    execFileSync(process.execPath, [join(__dirname, "privacy-corpus", "generate.mjs"), written]);
    expect(readFileSync(written, "utf8")).toBe(readFileSync(join(__dirname, "privacy-corpus", "corpus.jsonl"), "utf8"));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test(`every detector finds at least ${MIN_RECALL} of its kind with a precision of at least ${MIN_PRECISION}`, () => {
  const scrubber = createScrubber(
    {
      detectors: Object.fromEntries(BUILT_IN_DETECTORS.map((name) => [name, "redact"])),
      custom: [],
      maxScanLength: DEFAULT_MAX_SCAN_LENGTH,
      extraAttributes: [],
    },
    crypto,
  );
  if (scrubber === undefined) throw new Error("no scrubber");
  const counts = Object.fromEntries(BUILT_IN_DETECTORS.map((name) => [name, { truePositives: 0, falsePositives: 0, falseNegatives: 0 }]));
  const mistakes: string[] = [];
  const shown = (text: string): string => JSON.stringify(text.length > 120 ? `${text.slice(0, 117)}...` : text);
  for (const entry of corpus.entries) {
    const expected = entry.pii.map((item) => ({ ...item, found: false }));
    for (const finding of scrubber.findings(entry.text)) {
      // A find counts when it is the labelled value, or the value with what a reader would not call part of it.
      const match = expected.find(
        (item) => !item.found && item.kind === finding.detector && (item.value === finding.value || (item.value.includes(finding.value.trim()) && finding.value.length >= item.value.length - 1)),
      );
      const count = counts[finding.detector];
      if (count === undefined) continue;
      if (match === undefined) {
        count.falsePositives++;
        mistakes.push(`false ${finding.detector}: ${shown(finding.value)} in ${shown(entry.text)}${entry.note === undefined ? "" : ` (${entry.note})`}`);
      } else {
        match.found = true;
        count.truePositives++;
      }
    }
    for (const item of expected.filter((candidate) => !candidate.found)) {
      const count = counts[item.kind];
      if (count !== undefined) count.falseNegatives++;
      mistakes.push(`missed ${item.kind}: ${shown(item.value)} in ${shown(entry.text)}`);
    }
  }
  const rows = BUILT_IN_DETECTORS.map((name) => {
    const { truePositives, falsePositives, falseNegatives } = counts[name] ?? { truePositives: 0, falsePositives: 0, falseNegatives: 0 };
    const recall = truePositives / (truePositives + falseNegatives);
    const precision = truePositives + falsePositives === 0 ? 1 : truePositives / (truePositives + falsePositives);
    return { detector: name, found: truePositives, missed: falseNegatives, falseFinds: falsePositives, recall: Number(recall.toFixed(3)), precision: Number(precision.toFixed(3)) };
  });
  process.stdout.write(
    `privacy detectors on ${corpus.entries.length} strings:\n${rows.map((row) => `  ${row.detector.padEnd(13)} recall ${row.recall.toFixed(3)}  precision ${row.precision.toFixed(3)}  (found ${row.found}, missed ${row.missed}, false ${row.falseFinds})`).join("\n")}\n${mistakes.length === 0 ? "" : `mistakes:\n  ${mistakes.join("\n  ")}\n`}`,
  );
  for (const row of rows) {
    expect({ detector: row.detector, recallAtLeastBound: row.recall >= MIN_RECALL }).toEqual({ detector: row.detector, recallAtLeastBound: true });
    expect({ detector: row.detector, precisionAtLeastBound: row.precision >= MIN_PRECISION }).toEqual({ detector: row.detector, precisionAtLeastBound: true });
  }
});
