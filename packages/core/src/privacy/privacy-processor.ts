import type { DiagLogger } from "@opentelemetry/api";
import type { SdkSpan as Span, SpanProcessor } from "../contract/sdk-types";
import type { PrivacyDetectorsConfig } from "../contract/privacy";
import { contentAttributeTest, isEventContentAttribute } from "./content-attributes";
import { createScrubber } from "./scrubber";
import type { Scrubber } from "./scrubber";

type MutableAttributes = Record<string, unknown>;

/**
 * Masks, hashes or redacts what the `privacy:` detectors find in the content attributes of every span, its events and
 * its error status, as the span ends. It works in `onEnding`, which the SDK calls on every processor while the span
 * can still be changed and before any processor's `onEnd`: so no exporter, and no processor that converts spans in
 * `onEnd`, ever sees the raw values, whatever produced the span. It never throws: a span it cannot scan goes on with
 * its content attributes removed rather than unscanned.
 */
export class PrivacySpanProcessor implements SpanProcessor {
  private readonly isContent: (name: string) => boolean;
  private failures = 0;

  constructor(
    private readonly scrubber: Scrubber,
    extraAttributes: readonly string[],
    private readonly logger?: DiagLogger,
  ) {
    this.isContent = contentAttributeTest(extraAttributes);
  }

  onStart(): void {}

  onEnding(span: Span): void {
    try {
      this.scrubSpan(span);
    } catch (error) {
      this.failed(span, error);
    }
  }

  onEnd(): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  private scrubSpan(span: Span): void {
    const { scrubber, isContent } = this;
    const attributes = span.attributes;
    for (const name in attributes) {
      if (!isContent(name)) continue;
      const value = attributes[name];
      if (typeof value === "string") {
        const scrubbed = scrubber.scrub(value);
        if (scrubbed !== value) span.setAttribute(name, scrubbed);
      } else if (Array.isArray(value) && value.some((item) => typeof item === "string")) {
        const items = value as (string | null | undefined)[];
        const scrubbed = items.map((item) => (typeof item === "string" ? scrubber.scrub(item) : item));
        if (scrubbed.some((item, index) => item !== items[index])) span.setAttribute(name, scrubbed as string[]);
      }
    }
    // Event attributes are plain objects the span keeps until it is exported; nothing reads them before onEnd.
    for (const event of span.events) {
      const eventAttributes = event.attributes as MutableAttributes | undefined;
      if (eventAttributes === undefined) continue;
      for (const name in eventAttributes) {
        const value = eventAttributes[name];
        if (typeof value === "string" && isEventContentAttribute(name)) eventAttributes[name] = scrubber.scrub(value);
      }
    }
    const message = span.status.message;
    if (message !== undefined && message !== "") {
      const scrubbed = scrubber.scrub(message);
      if (scrubbed !== message) span.setStatus({ code: span.status.code, message: scrubbed });
    }
  }

  /** A scan that failed leaves no raw content behind: the content attributes are removed, and the failure is warned about once. */
  private failed(span: Span, error: unknown): void {
    try {
      const attributes = span.attributes as MutableAttributes;
      for (const name of Object.keys(attributes)) {
        if (this.isContent(name)) delete attributes[name];
      }
      for (const event of span.events) {
        const eventAttributes = event.attributes as MutableAttributes | undefined;
        for (const name of Object.keys(eventAttributes ?? {})) if (isEventContentAttribute(name)) delete eventAttributes?.[name];
      }
      if (this.failures++ === 0) this.logger?.warn(`privacy: a span could not be scanned; its content attributes were removed (${error instanceof Error ? error.name : typeof error}).`);
    } catch {
      // Nothing more can be done for this span.
    }
  }
}

/**
 * The privacy processor of a `privacy:` section, or undefined when no detector is on: then nothing is installed (and
 * `node:crypto` is not loaded).
 *
 * @param settings - the validated detectors (`ResolvedConfig.privacyDetectors`)
 */
export async function createPrivacyProcessor(settings: PrivacyDetectorsConfig | undefined, logger?: DiagLogger): Promise<PrivacySpanProcessor | undefined> {
  if (settings === undefined) return undefined;
  const scrubber = createScrubber(settings, await import("node:crypto"));
  return scrubber === undefined ? undefined : new PrivacySpanProcessor(scrubber, settings.extraAttributes, logger);
}
