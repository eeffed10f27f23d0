import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { before, describe, it } from "node:test";
import { SpiffeId, TrustDomain } from "../spiffeid/spiffe-id.js";
import { createCaCertificate } from "./create-ca-certificate.js";
import { signX509Svid } from "./sign-x509-svid.js";
import { encodeCertificatePem } from "./pem.js";
import { x509 } from "./test-support-x509.js";
import { NOW, at, createTestSigningKey, cryptoKeysOf, derOf, runOpenssl } from "./test-support.js";
import type { TestSigningKey } from "./test-support.js";
import type { X509AuthoritySource } from "./types.js";
import { verifyX509Svid } from "./verify-x509-svid.js";

const TD = TrustDomain.fromString("example.org");
const ID = SpiffeId.fromString("spiffe://example.org/web");
const KU = x509.KeyUsageFlags;

interface Authority {
  key: TestSigningKey;
  certificate: Uint8Array;
}

function sourceOf(authorities: Record<string, Uint8Array[]>): X509AuthoritySource {
  return { getX509Authorities: (td) => authorities[td.name] };
}

async function makeRoot(commonName?: string, notAfter = at(30 * 86_400)): Promise<Authority> {
  const key = createTestSigningKey("ECC_NIST_P256");
  return { key, certificate: await createCaCertificate({ key, trustDomain: TD, notBefore: at(-86_400), notAfter, commonName }) };
}

interface IntermediateOptions {
  ca?: boolean;
  pathLength?: number;
  notAfter?: Date;
  name: string;
}

/** An intermediate CA made by @peculiar/x509's generator, signed by `issuer`. */
async function makeIntermediate(issuer: Authority, options: IntermediateOptions): Promise<Authority> {
  const key = createTestSigningKey("ECC_NIST_P256");
  const keys = await cryptoKeysOf(key);
  const issuerCert = new x509.X509Certificate(issuer.certificate);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: "0a0b",
    subject: `O=Tessera, CN=${options.name}`,
    issuer: issuerCert.subjectName,
    notBefore: at(-86_400),
    notAfter: options.notAfter ?? at(7 * 86_400),
    publicKey: keys.publicKey,
    signingKey: (await cryptoKeysOf(issuer.key)).privateKey,
    signingAlgorithm: { name: "ECDSA", hash: "SHA-256" },
    extensions: [
      new x509.BasicConstraintsExtension(options.ca ?? true, options.pathLength, true),
      new x509.KeyUsagesExtension(KU.keyCertSign | KU.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(issuerCert.publicKey),
      new x509.SubjectAlternativeNameExtension([{ type: "url", value: "spiffe://example.org" }]),
    ],
  });
  return { key, certificate: derOf(cert) };
}

async function issueUnder(ca: Authority, notBefore = at(-60), notAfter = at(3600)): Promise<Uint8Array> {
  const publicKey = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey;
  return (await signX509Svid({ caKey: ca.key, caCertificate: ca.certificate, spiffeId: ID, publicKey, notBefore, notAfter })).certificate;
}

/** openssl's own verdict on the same chain, at the same time. */
function opensslAccepts(root: Uint8Array, chain: Uint8Array[], when = NOW): boolean {
  const [leaf, ...intermediates] = chain;
  const files: Record<string, string> = { "root.pem": encodeCertificatePem(root), "leaf.pem": encodeCertificatePem(leaf!) };
  const args = ["verify", "-attime", String(Math.floor(when.getTime() / 1000)), "-CAfile", "root.pem"];
  if (intermediates.length > 0) {
    files["untrusted.pem"] = encodeCertificatePem(intermediates);
    args.push("-untrusted", "untrusted.pem");
  }
  return runOpenssl([...args, "leaf.pem"], files).status === 0;
}

describe("verifyX509Svid", () => {
  let root: Authority;
  let leaf: Uint8Array;
  let source: X509AuthoritySource;
  before(async () => {
    root = await makeRoot();
    leaf = await issueUnder(root);
    source = sourceOf({ "example.org": [root.certificate] });
  });

  it("verifies a leaf signed by an authority of its trust domain", () => {
    const result = verifyX509Svid([leaf], source, { now: NOW });
    assert.equal(result.spiffeId.toString(), ID.toString());
    assert.deepEqual(result.verifiedChain, [leaf, root.certificate]);
    assert.equal(opensslAccepts(root.certificate, [leaf]), true);
  });

  it("picks the right authority among several, and ignores unrelated extra certificates", async () => {
    const other = await makeRoot("Other CA");
    const result = verifyX509Svid([leaf, other.certificate], sourceOf({ "example.org": [other.certificate, root.certificate] }), {
      now: NOW,
    });
    assert.deepEqual(result.verifiedChain, [leaf, root.certificate]);
  });

  it("builds a path through intermediates, as openssl does", async () => {
    const inter = await makeIntermediate(root, { name: "Intermediate" });
    const viaInter = await issueUnder(inter);
    const result = verifyX509Svid([viaInter, inter.certificate], source, { now: NOW });
    assert.deepEqual(result.verifiedChain, [viaInter, inter.certificate, root.certificate]);
    assert.equal(opensslAccepts(root.certificate, [viaInter, inter.certificate]), true);
  });

  it("accepts at most 5 certificates from leaf to authority", async () => {
    const i1 = await makeIntermediate(root, { name: "I1" });
    const i2 = await makeIntermediate(i1, { name: "I2" });
    const i3 = await makeIntermediate(i2, { name: "I3" });
    const i4 = await makeIntermediate(i3, { name: "I4" });
    const five = [await issueUnder(i3), i3.certificate, i2.certificate, i1.certificate];
    assert.equal(verifyX509Svid(five, source, { now: NOW }).verifiedChain.length, 5);
    const six = [await issueUnder(i4), i4.certificate, i3.certificate, i2.certificate, i1.certificate];
    assert.equal(opensslAccepts(root.certificate, six), true, "openssl has no such limit; Tessera follows IAM Roles Anywhere");
    assert.throws(() => verifyX509Svid(six, source, { now: NOW }), { code: "ERR_X509SVID_INVALID", message: /longer than 5 certificates/ });
  });

  it("checks validity windows inclusively at `now`", () => {
    const cert = new x509.X509Certificate(leaf);
    assert.doesNotThrow(() => verifyX509Svid([leaf], source, { now: cert.notBefore }));
    assert.doesNotThrow(() => verifyX509Svid([leaf], source, { now: cert.notAfter }));
  });

  it("uses the system clock when no `now` is given", async () => {
    const key = createTestSigningKey("ECC_NIST_P256");
    const realNow = Date.now();
    const ca = {
      key,
      certificate: await createCaCertificate({
        key,
        trustDomain: TD,
        notBefore: new Date(realNow - 60_000),
        notAfter: new Date(realNow + 3_600_000),
      }),
    };
    const current = await issueUnder(ca, new Date(realNow - 60_000), new Date(realNow + 600_000));
    const trust = sourceOf({ "example.org": [ca.certificate] });
    assert.equal(verifyX509Svid([current], trust).spiffeId.toString(), ID.toString());
    assert.throws(() => verifyX509Svid([leaf], source), { code: "ERR_X509SVID_INVALID", message: /not valid before/ });
  });

  it("throws TypeError for an invalid `now` or a chain that is not an array", () => {
    assert.throws(() => verifyX509Svid([leaf], source, { now: new Date(Number.NaN) }), TypeError);
    assert.throws(() => verifyX509Svid(leaf as unknown as Uint8Array[], source, { now: NOW }), TypeError);
  });

  describe("refuses", () => {
    const refusals: [
      string,
      () => Promise<{ chain: Uint8Array[]; source?: X509AuthoritySource; now?: Date; openssl?: boolean }>,
      RegExp,
    ][] = [
      [
        "a leaf whose trust domain has no authorities",
        async () => ({ chain: [leaf], source: sourceOf({ "other.org": [root.certificate] }) }),
        /no X\.509 authorities for trust domain "example\.org"/,
      ],
      [
        "a leaf whose trust domain has an empty bundle",
        async () => ({ chain: [leaf], source: sourceOf({ "example.org": [] }) }),
        /no X\.509 authorities/,
      ],
      [
        "a leaf of an unknown authority",
        async () => {
          const other = await makeRoot("Other CA");
          return {
            chain: [leaf],
            source: sourceOf({ "example.org": [other.certificate] }),
            openssl: opensslAccepts(other.certificate, [leaf]),
          };
        },
        /could not verify leaf certificate: certificate signed by unknown authority/,
      ],
      [
        "a leaf of an authority with the same name but another key",
        async () => {
          const impostor = await makeRoot();
          return {
            chain: [leaf],
            source: sourceOf({ "example.org": [impostor.certificate] }),
            openssl: opensslAccepts(impostor.certificate, [leaf]),
          };
        },
        /signature does not verify/,
      ],
      [
        "an expired leaf",
        async () => ({ chain: [leaf], now: at(3601), openssl: opensslAccepts(root.certificate, [leaf], at(3601)) }),
        /leaf certificate expired at 2030-01-15T13:00:00\.000Z/,
      ],
      [
        "a leaf not yet valid",
        async () => ({ chain: [leaf], now: at(-61), openssl: opensslAccepts(root.certificate, [leaf], at(-61)) }),
        /leaf certificate is not valid before 2030-01-15T11:59:00\.000Z/,
      ],
      [
        "an expired authority",
        async () => {
          const shortRoot = await makeRoot(undefined, at(600));
          const longLeaf = await issueUnderUnchecked(shortRoot, at(3600));
          return {
            chain: [longLeaf],
            source: sourceOf({ "example.org": [shortRoot.certificate] }),
            now: at(601),
            openssl: opensslAccepts(shortRoot.certificate, [longLeaf], at(601)),
          };
        },
        /authority certificate expired at 2030-01-15T12:10:00\.000Z/,
      ],
      [
        "an authority not yet valid",
        async () => {
          const key = createTestSigningKey("ECC_NIST_P256");
          const future = { key, certificate: await createCaCertificate({ key, trustDomain: TD, notBefore: at(60), notAfter: at(86_400) }) };
          const early = await issueUnder(future);
          return {
            chain: [early],
            source: sourceOf({ "example.org": [future.certificate] }),
            openssl: opensslAccepts(future.certificate, [early]),
          };
        },
        /authority certificate is not valid before/,
      ],
      [
        "an intermediate without CA:true",
        async () => {
          const notCa = await makeIntermediate(root, { name: "Not a CA", ca: false });
          const below = await issueUnderUnchecked(notCa);
          return { chain: [below, notCa.certificate], openssl: opensslAccepts(root.certificate, [below, notCa.certificate]) };
        },
        /intermediate certificate is not a CA/,
      ],
      [
        "an expired intermediate",
        async () => {
          const inter = await makeIntermediate(root, { name: "Short", notAfter: at(600) });
          const below = await issueUnderUnchecked(inter, at(3600));
          return {
            chain: [below, inter.certificate],
            now: at(601),
            openssl: opensslAccepts(root.certificate, [below, inter.certificate], at(601)),
          };
        },
        /intermediate certificate expired/,
      ],
      [
        "an intermediate beyond its issuer's path length",
        async () => {
          const i1 = await makeIntermediate(root, { name: "I1", pathLength: 0 });
          const i2 = await makeIntermediate(i1, { name: "I2" });
          const below = await issueUnder(i2);
          return {
            chain: [below, i2.certificate, i1.certificate],
            openssl: opensslAccepts(root.certificate, [below, i2.certificate, i1.certificate]),
          };
        },
        /allows 0 intermediates below it, found 1/,
      ],
      ["an empty chain", async () => ({ chain: [] }), /empty certificates chain/],
      ["a CA certificate as the leaf", async () => ({ chain: [root.certificate] }), /non-root path/],
      [
        "bytes that are not a certificate",
        async () => ({ chain: [new Uint8Array([0x30, 0x01, 0x00])] }),
        /not a single DER element|malformed certificate/,
      ],
      [
        "a malformed authority",
        async () => ({ chain: [leaf], source: sourceOf({ "example.org": [new Uint8Array([1, 2])] }) }),
        /malformed X\.509 authority/,
      ],
      ["more than 16 presented certificates", async () => ({ chain: Array.from({ length: 17 }, () => leaf) }), /more than 16 certificates/],
    ];
    for (const [name, setup, message] of refusals) {
      it(name, async () => {
        const c = await setup();
        assert.throws(() => verifyX509Svid(c.chain, c.source ?? source, { now: c.now ?? NOW }), { code: "ERR_X509SVID_INVALID", message });
        if (c.openssl !== undefined) assert.equal(c.openssl, false, "openssl refuses the same chain");
      });
    }
  });
});

/** A leaf made by the generator, for issuers or lifetimes signX509Svid refuses (a non-CA, beyond the CA). */
async function issueUnderUnchecked(issuer: Authority, notAfter = at(3600)): Promise<Uint8Array> {
  const leafKeys = await cryptoKeysOf(createTestSigningKey("ECC_NIST_P256"));
  const issuerCert = new x509.X509Certificate(issuer.certificate);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: "0c",
    subject: "O=Tessera, CN=web",
    issuer: issuerCert.subjectName,
    notBefore: at(-60),
    notAfter,
    publicKey: leafKeys.publicKey,
    signingKey: (await cryptoKeysOf(issuer.key)).privateKey,
    signingAlgorithm: { name: "ECDSA", hash: "SHA-256" },
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(KU.digitalSignature, true),
      new x509.SubjectAlternativeNameExtension([{ type: "url", value: ID.toString() }]),
    ],
  });
  return derOf(cert);
}
