// Test-only fixtures for the bundle publishers: CA certificates (from the library's own CA builder
// and, for oversized ones, from openssl), bundles holding them, and a recording sleep.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Bundle } from "../../bundle/index.js";
import { TrustDomain } from "../../spiffeid/index.js";
import { createCaCertificate, parseCertificates } from "../../x509svid/index.js";
import { createTestSigningKey } from "../../x509svid/test-support.js";

/** The trust domain of every fixture. */
export const TRUST_DOMAIN = TrustDomain.fromString("example.org");

/** A self-signed Tessera CA certificate (DER) for example.org. */
export async function makeCaCertificate(): Promise<Uint8Array> {
  const now = Date.now();
  return createCaCertificate({
    key: createTestSigningKey("ECC_NIST_P256"),
    trustDomain: TRUST_DOMAIN,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 86_400_000),
  });
}

/** A CA certificate made by openssl with `sans` DNS names, to make its PEM as long as a test needs. */
export function makeLargeCaCertificate(sans: number): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), "tessera-bundlepublisher-"));
  try {
    const names = Array.from({ length: sans }, (_, i) => `DNS:host${i}.example.org`).join(",");
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", join(dir, "key.pem")]
        .concat(["-subj", "/CN=large test CA", "-days", "1", "-addext", "basicConstraints=critical,CA:TRUE"])
        .concat(["-addext", "keyUsage=critical,keyCertSign,cRLSign", "-addext", `subjectAltName=${names}`, "-out", join(dir, "ca.pem")]),
      { stdio: "ignore" },
    );
    const [der] = parseCertificates(readFileSync(join(dir, "ca.pem"), "utf8"));
    return der!;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A bundle of example.org holding `certificates`, at `sequence`. */
export function bundleOf(certificates: Uint8Array[], sequence = 1): Bundle {
  return new Bundle({ trustDomain: TRUST_DOMAIN, x509Authorities: certificates, sequence, refreshHintSeconds: 300 });
}

/** A sleep that returns at once and records how long it was asked to wait. */
export function recordingSleep(): { waits: number[]; sleep: (ms: number) => Promise<void> } {
  const waits: number[] = [];
  return { waits, sleep: async (ms) => void waits.push(ms) };
}
