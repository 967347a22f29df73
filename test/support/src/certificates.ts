import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A throwaway certificate authority: its PEM certificate (what `certificate_file` points at) and where it is. */
export interface TestAuthority {
  /** PEM of the CA certificate. */
  readonly cert: Buffer;
  /** Path of the CA certificate file. */
  readonly certFile: string;
}

/** What a test server needs for TLS: a key and a certificate for `127.0.0.1` and `localhost`, signed by `authority`. */
export interface TestCertificates {
  /** The CA that signed the server certificate. */
  readonly authority: TestAuthority;
  /** A second CA that signed nothing here: trusting it must not make the server trusted. */
  readonly unrelatedAuthority: TestAuthority;
  /** PEM private key of the server. */
  readonly serverKey: Buffer;
  /** PEM certificate of the server (SAN: IP 127.0.0.1, DNS localhost). */
  readonly serverCert: Buffer;
  /** The folder holding every file; removed by {@link TestCertificates.remove}. */
  /** The server's key and certificate as files (for servers configured by path, such as the OpenTelemetry Collector). */
  readonly serverKeyFile: string;
  readonly serverCertFile: string;
  /** A client certificate signed by `authority`, and its key, for mutual TLS. */
  readonly clientKeyFile: string;
  readonly clientCertFile: string;
  readonly directory: string;
  /** Deletes the folder (keys included). */
  remove(): void;
}

/**
 * Generates, into a fresh temporary folder, a CA, a server certificate for 127.0.0.1/localhost and a client certificate
 * (mutual TLS) signed by it, and a second, unrelated CA, with the `openssl` command-line tool. EC P-256 keys keep it fast; certificates live one day.
 * Nothing is written inside the repository, so no key can be committed.
 *
 * @throws Error saying so when `openssl` is not on the PATH
 */
export function generateTestCertificates(): TestCertificates {
  assertOpensslAvailable();
  const directory = mkdtempSync(join(tmpdir(), "llmops-tls-"));
  const authority = createAuthority(directory, "ca", "llmops test CA");
  const unrelatedAuthority = createAuthority(directory, "other-ca", "llmops unrelated test CA");

  const server = issue(directory, "server", "localhost", ["extendedKeyUsage = serverAuth", "subjectAltName = IP:127.0.0.1, DNS:localhost"], "2");
  const client = issue(directory, "client", "llmops test client", ["extendedKeyUsage = clientAuth"], "3");

  return {
    authority,
    unrelatedAuthority,
    serverKey: readFileSync(server.keyFile),
    serverCert: readFileSync(server.certFile),
    serverKeyFile: server.keyFile,
    serverCertFile: server.certFile,
    clientKeyFile: client.keyFile,
    clientCertFile: client.certFile,
    directory,
    remove: () => rmSync(directory, { recursive: true, force: true }),
  };
}

/** A key pair and a certificate for `commonName` signed by the folder's CA, with the given X.509 extensions. */
function issue(directory: string, name: string, commonName: string, extensions: string[], serial: string): { keyFile: string; certFile: string } {
  const keyFile = join(directory, `${name}.key`);
  const csrFile = join(directory, `${name}.csr`);
  const certFile = join(directory, `${name}.pem`);
  const extensionsFile = join(directory, `${name}.ext`);
  writeFileSync(extensionsFile, ["basicConstraints = critical, CA:FALSE", "keyUsage = critical, digitalSignature, keyEncipherment", ...extensions, ""].join("\n"));
  openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", keyFile, "-out", csrFile, "-subj", `/CN=${commonName}`]);
  openssl([
    "x509",
    "-req",
    "-in",
    csrFile,
    "-CA",
    join(directory, "ca.pem"),
    "-CAkey",
    join(directory, "ca.key"),
    "-set_serial",
    serial,
    "-days",
    "1",
    "-sha256",
    "-extfile",
    extensionsFile,
    "-out",
    certFile,
  ]);
  return { keyFile, certFile };
}

function createAuthority(directory: string, name: string, commonName: string): TestAuthority {
  const keyFile = join(directory, `${name}.key`);
  const certFile = join(directory, `${name}.pem`);
  openssl([
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    keyFile,
    "-out",
    certFile,
    "-days",
    "1",
    "-sha256",
    "-subj",
    `/CN=${commonName}`,
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  return { cert: readFileSync(certFile), certFile };
}

function assertOpensslAvailable(): void {
  try {
    execFileSync("openssl", ["version"], { stdio: "pipe" });
  } catch (error) {
    throw new Error(
      `The TLS tests generate throwaway certificates with the openssl command-line tool, which could not be run (${(error as Error).message}). ` +
        "Install OpenSSL (e.g. apt-get install openssl) and put it on the PATH.",
    );
  }
}

function openssl(args: string[]): void {
  try {
    execFileSync("openssl", args, { stdio: "pipe" });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? "";
    throw new Error(`openssl ${args[0]} failed: ${stderr.trim() || (error as Error).message}`);
  }
}
