import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { before, describe, it } from "node:test";
import { Bundle, createCaCertificate, signCrl, signX509Svid, SpiffeId, TrustDomain } from "#tessera/core";
import { createTestSigningKey, type TestSigningKey } from "#tessera/test-support";
import type { RevocationsResponse } from "./issuer-client.js";
import { createAgentLogger } from "./logger.js";
import { RevocationWatcher } from "./revocation-watcher.js";
import type { X509Material } from "./svid-manager.js";

const TD = TrustDomain.fromString("example.org");
const NOW = Date.now();

interface Ca {
  key: TestSigningKey;
  certificate: Uint8Array;
}

async function makeCa(): Promise<Ca> {
  const key = createTestSigningKey("ECC_NIST_P256");
  return {
    key,
    certificate: await createCaCertificate({
      key,
      trustDomain: TD,
      notBefore: new Date(NOW - 60_000),
      notAfter: new Date(NOW + 86_400_000),
    }),
  };
}

async function crlFrom(signer: TestSigningKey, ca: Ca, serials: string[]): Promise<string> {
  const der = await signCrl({
    caKey: signer,
    caCertificate: ca.certificate,
    crlNumber: 1,
    thisUpdate: new Date(NOW - 1000),
    nextUpdate: new Date(NOW + 3_600_000),
    revoked: serials.map((serialNumber) => ({ serialNumber, revocationDate: new Date(NOW - 1000) })),
  });
  return Buffer.from(der).toString("base64");
}

describe("RevocationWatcher", () => {
  let ca: Ca;
  let stranger: Ca;
  let material: X509Material;
  before(async () => {
    [ca, stranger] = [await makeCa(), await makeCa()];
    const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const svid = await signX509Svid({
      caKey: ca.key,
      caCertificate: ca.certificate,
      spiffeId: SpiffeId.fromString("spiffe://example.org/w"),
      publicKey,
      notBefore: new Date(NOW - 1000),
      notAfter: new Date(NOW + 3_600_000),
    });
    material = {
      spiffeId: "spiffe://example.org/w",
      certificates: [svid.certificate],
      privateKey: new Uint8Array(),
      issuedAt: NOW,
      expiresAt: NOW + 3_600_000,
      serialNumber: svid.serialNumber,
    };
  });

  function watcherServing(answers: RevocationsResponse[]) {
    const lines: string[] = [];
    const drops: boolean[] = [];
    const bundle = new Bundle({ trustDomain: TD, x509Authorities: [ca.certificate] });
    const watcher = new RevocationWatcher({
      client: { fetchRevocations: async () => answers.shift()! },
      target: { bundle: () => bundle, dropRevoked: (revoked) => void drops.push(revoked.x509(material)) },
      logger: createAgentLogger({ format: "json", level: "debug", write: (l) => lines.push(l) }),
      intervalSeconds: 3600,
    });
    return { watcher, lines, drops };
  }

  it("refuses a forged CRL (the CA's name and key id, another key's signature) and keeps its SVID", async () => {
    const forger = createTestSigningKey("ECC_NIST_P256");
    const { watcher, lines, drops } = watcherServing([
      {
        crls: [{ ca_id: "x", crl_number: 1, next_update: "", crl: await crlFrom(forger, ca, [material.serialNumber]) }],
        denied_jwt_svids: [],
      },
    ]);
    await watcher.poll();
    watcher.stop();
    assert.deepEqual(drops, [false]);
    assert.ok(lines.some((l) => l.includes("refused a CRL that does not verify against the trust bundle")));
  });

  it("refuses a well-signed CRL of a CA outside the bundle", async () => {
    const { watcher, drops } = watcherServing([
      {
        crls: [{ ca_id: "x", crl_number: 1, next_update: "", crl: await crlFrom(stranger.key, stranger, [material.serialNumber]) }],
        denied_jwt_svids: [],
      },
    ]);
    await watcher.poll();
    watcher.stop();
    assert.deepEqual(drops, [false]);
  });

  it("drops an SVID its CA's verified CRL lists, and a later forged CRL cannot take the revocation back", async () => {
    const forger = createTestSigningKey("ECC_NIST_P256");
    const { watcher, drops } = watcherServing([
      {
        crls: [{ ca_id: "x", crl_number: 1, next_update: "", crl: await crlFrom(ca.key, ca, [material.serialNumber]) }],
        denied_jwt_svids: [],
      },
      { crls: [{ ca_id: "x", crl_number: 2, next_update: "", crl: await crlFrom(forger, ca, []) }], denied_jwt_svids: [] },
    ]);
    await watcher.poll();
    await watcher.poll();
    watcher.stop();
    assert.deepEqual(drops, [true, true]);
  });

  it("denies a jti until the revoked token expires", async () => {
    const token = (jti: string) =>
      [
        "eyJhbGciOiJFUzI1NiIsImtpZCI6ImsifQ",
        Buffer.from(JSON.stringify({ sub: "spiffe://example.org/w", aud: ["db"], exp: Math.floor(NOW / 1000) + 300, jti })).toString(
          "base64url",
        ),
        "c2ln",
      ].join(".");
    const { watcher } = watcherServing([
      {
        crls: [],
        denied_jwt_svids: [
          { jti: "live", expires_at: new Date(NOW + 60_000).toISOString() },
          { jti: "gone", expires_at: new Date(NOW - 1).toISOString() },
        ],
      },
    ]);
    await watcher.poll();
    watcher.stop();
    assert.equal(watcher.isJwtDenied(token("live")), true);
    assert.equal(watcher.isJwtDenied(token("gone")), false);
    assert.equal(watcher.isJwtDenied(token("other")), false);
    assert.equal(watcher.isJwtDenied("not a token"), false);
    assert.equal(watcher.isJtiDenied("live"), true);
    assert.equal(watcher.isJtiDenied("gone"), false);
    assert.equal(watcher.isJtiDenied(undefined), false);
  });
});
