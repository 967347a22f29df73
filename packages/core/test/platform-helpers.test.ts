import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LlmopsError, readCertificateFile, redactUrl, travelsInClear } from "@llmops/core";

describe("helpers for platform authors", () => {
  it("travelsInClear: plain HTTP to another machine only", () => {
    expect(travelsInClear("http://collector.example.com/v1/traces")).toBe(true);
    expect(travelsInClear("http://10.0.0.5:4318")).toBe(true);
    expect(travelsInClear("https://collector.example.com")).toBe(false);
    expect(travelsInClear("http://127.0.0.1:6006")).toBe(false);
    expect(travelsInClear("http://127.8.9.10:6006")).toBe(false);
    expect(travelsInClear("http://localhost:6006")).toBe(false);
    expect(travelsInClear("http://[::1]:6006")).toBe(false);
  });

  it("redactUrl: no user info and no query in messages", () => {
    expect(redactUrl("https://user:secret@host:1/v1/traces?token=abc")).toBe("https://host:1/v1/traces");
    expect(redactUrl("not a url")).toBe("not a url");
  });

  it("readCertificateFile: reads relative to the app root, and names the key when it cannot", () => {
    const appRoot = mkdtempSync(join(tmpdir(), "llmops-cert-"));
    writeFileSync(join(appRoot, "ca.pem"), "PEM");
    expect(readCertificateFile({ file: undefined, appRoot, key: "acme.certificate_file", server: "the collector" })).toBeUndefined();
    expect(readCertificateFile({ file: "ca.pem", appRoot, key: "acme.certificate_file", server: "the collector" })).toBe("PEM");
    let caught: unknown;
    try {
      readCertificateFile({ file: "missing.pem", appRoot, key: "acme.certificate_file", server: "the collector" });
    } catch (error) {
      caught = error;
    }
    expect(LlmopsError.isInstance(caught)).toBe(true);
    expect((caught as Error).message).toBe(
      `acme.certificate_file: cannot read ${join(appRoot, "missing.pem")}: it does not exist. Point it at the PEM file of the CA that signed the collector's certificate.`,
    );
  });
});
