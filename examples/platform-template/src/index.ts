// An llmops platform for a backend that takes OTLP/HTTP: rename "template" (here, in package.json's llmops field and in
// the README), point `target` at your backend, and publish. Core's OTLP kit does the rest: the exporter, TLS, time
// limits, debug output, error hints, and the shared keys (headers, timeout_ms, compression, batch_spans, debug,
// certificate_file).
import * as v from "valibot";
import { instrumentFor, openInferenceInstrumentors as oi } from "@llmops/core";
import { OTLP_TIMEOUT_ENVIRONMENT, defineOtlpPlatform, otlpSectionEntries, withTracesPath } from "@llmops/core/otlp";

/**
 * The `template:` section: where the backend is, the key it wants, and the project spans are filed under.
 *
 * @example
 * ```ts
 * import * as v from "valibot";
 * import { templateSchema } from "llmops-platform-template";
 * v.parse(templateSchema, { endpoint: "https://otlp.example.com", api_key: "k" });
 * ```
 */
export const templateSchema = v.object({
  /** The backend's OTLP/HTTP base URL; `/v1/traces` is appended unless the path already ends with it. */
  endpoint: v.pipe(v.string(), v.regex(/^https?:\/\//i, "must start with http:// or https://"), v.url("must be a URL, e.g. https://otlp.example.com")),
  /** Sent as `authorization: Bearer <api_key>`; the kit never prints it. */
  api_key: v.optional(v.pipe(v.string(), v.nonEmpty("must not be empty"))),
  /** Filed under this project (a resource attribute); default: the service name. */
  project: v.optional(v.pipe(v.string(), v.nonEmpty("must not be empty"))),
  ...otlpSectionEntries,
});

/**
 * The template platform: OTLP/HTTP protobuf to `<endpoint>/v1/traces` with a bearer key and a project attribute.
 *
 * @example
 * ```ts
 * import { getPlatform } from "@llmops/core";
 * const tracing = await getPlatform("template").instrument({ config: { service: { name: "my-app" }, template: { endpoint: "http://127.0.0.1:4318" } } });
 * ```
 */
export const platform = defineOtlpPlatform({
  name: "template",
  configSection: "template",
  packageName: "llmops-platform-template",
  endpointKey: "endpoint",
  server: "the template backend",
  schema: templateSchema,
  environment: [{ variable: "TEMPLATE_ENDPOINT", key: "endpoint" }, { variable: "TEMPLATE_API_KEY", key: "api_key" }, ...OTLP_TIMEOUT_ENVIRONMENT],
  instrumentors: [oi.openai],
  target({ section, service }) {
    const url = withTracesPath(section.endpoint);
    const project = section.project ?? service.name;
    return {
      url,
      headers: { ...section.headers, ...(section.api_key === undefined ? {} : { authorization: `Bearer ${section.api_key}` }) },
      description: `the template backend at ${new URL(url).origin} (project "${project}")`,
      resourceAttributes: { "template.project": project },
    };
  },
});

/**
 * Turns on tracing to the template backend (core's pipeline, typed for this platform's section).
 *
 * @example
 * ```ts
 * import { instrument } from "llmops-platform-template";
 * const tracing = await instrument({ config: { service: { name: "my-app" }, template: { endpoint: "http://127.0.0.1:4318" } } });
 * ```
 */
export const instrument = instrumentFor(platform);

// Types getPlatform("template") wherever this package's types are visible.
declare module "@llmops/core" {
  interface PlatformRegistry {
    template: typeof platform;
  }
}
