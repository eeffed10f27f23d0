import assert from "node:assert/strict";
import { X509Certificate, createPublicKey, generateKeyPairSync, webcrypto, type JsonWebKey, type KeyObject } from "node:crypto";
import { describe, it } from "node:test";
import { CompactSign, compactVerify, exportJWK, importJWK, type JWK } from "jose";
import { x509 } from "../x509svid/test-support-x509.js";
import { TrustDomain } from "../spiffeid/index.js";
import { Bundle } from "./bundle.js";
import { marshalSpiffeBundle } from "./marshal-spiffe-bundle.js";
import { parseSpiffeBundle } from "./parse-spiffe-bundle.js";

const INVALID = "ERR_BUNDLE_INVALID";
const td = TrustDomain.fromString("example.org");
const spki = { format: "der", type: "spki" } as const;

type CaKind = "P-256" | "P-384" | "RSA";

async function makeCaCertificate(kind: CaKind): Promise<Uint8Array> {
  const algorithm =
    kind === "RSA"
      ? { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 }
      : { name: "ECDSA", namedCurve: kind, hash: kind === "P-256" ? "SHA-256" : "SHA-384" };
  const keys = (await webcrypto.subtle.generateKey(algorithm, false, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=Tessera test CA ${kind}, O=example.org`,
    keys: keys as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]["keys"],
    signingAlgorithm: algorithm,
    notBefore: new Date("2025-01-01T00:00:00Z"),
    notAfter: new Date("2035-01-01T00:00:00Z"),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      new x509.SubjectAlternativeNameExtension([{ type: "url", value: "spiffe://example.org" }]),
    ],
  });
  return new Uint8Array(cert.rawData);
}

const [caP256, caP384, caRsa] = await Promise.all((["P-256", "P-384", "RSA"] as const).map(makeCaCertificate));
const cas = [caP256!, caP384!, caRsa!];

const jwtKeys: { kid: string; alg: string; publicKey: KeyObject; privateKey: KeyObject }[] = [
  { kid: "k-p256", alg: "ES256", ...generateKeyPairSync("ec", { namedCurve: "P-256" }) },
  { kid: "k-p384", alg: "ES384", ...generateKeyPairSync("ec", { namedCurve: "P-384" }) },
  { kid: "k-p521", alg: "ES512", ...generateKeyPairSync("ec", { namedCurve: "P-521" }) },
  { kid: "k-rsa", alg: "RS256", ...generateKeyPairSync("rsa", { modulusLength: 2048 }) },
];

function publicJwk(key: KeyObject): JWK {
  return key.export({ format: "jwk" }) as JWK;
}

function x509Entry(der: Uint8Array, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const jwk = new X509Certificate(der).publicKey.export({ format: "jwk" });
  return { use: "x509-svid", ...jwk, x5c: [Buffer.from(der).toString("base64")], ...extra };
}

function jwtEntry(index: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const key = jwtKeys[index]!;
  return { use: "jwt-svid", kid: key.kid, ...publicJwk(key.publicKey), ...extra };
}

function fullBundle(): Bundle {
  return new Bundle({
    trustDomain: td,
    x509Authorities: cas,
    // Inserted out of kid order on purpose: the document orders them.
    jwtAuthorities: [...jwtKeys].reverse().map((k) => [k.kid, publicJwk(k.publicKey)] as const),
    sequence: 7,
    refreshHintSeconds: 300,
  });
}

function assertSameBundle(actual: Bundle, expected: Bundle): void {
  assert.equal(actual.trustDomain.name, expected.trustDomain.name);
  assert.deepEqual(
    actual.x509Authorities.map((d) => Buffer.from(d).toString("hex")),
    expected.x509Authorities.map((d) => Buffer.from(d).toString("hex")),
  );
  assert.deepEqual([...actual.jwtAuthorities.keys()].sort(), [...expected.jwtAuthorities.keys()].sort());
  for (const [kid, jwk] of expected.jwtAuthorities) {
    const got = createPublicKey({ key: actual.jwtAuthorities.get(kid) as JsonWebKey, format: "jwk" });
    assert.ok(got.export(spki).equals(createPublicKey({ key: jwk as JsonWebKey, format: "jwk" }).export(spki)), kid);
  }
  assert.equal(actual.sequence, expected.sequence);
  assert.equal(actual.refreshHintSeconds, expected.refreshHintSeconds);
}

describe("marshalSpiffeBundle", () => {
  it("writes the document in a stable order", () => {
    const doc = JSON.parse(marshalSpiffeBundle(fullBundle()));
    assert.deepEqual(Object.keys(doc), ["spiffe_sequence", "spiffe_refresh_hint", "keys"]);
    assert.equal(doc.spiffe_sequence, 7);
    assert.equal(doc.spiffe_refresh_hint, 300);
    assert.deepEqual(
      doc.keys.map((k: Record<string, unknown>) => Object.keys(k)),
      [
        ["use", "kty", "crv", "x", "y", "x5c"],
        ["use", "kty", "crv", "x", "y", "x5c"],
        ["use", "kty", "n", "e", "x5c"],
        ["use", "kty", "kid", "crv", "x", "y"],
        ["use", "kty", "kid", "crv", "x", "y"],
        ["use", "kty", "kid", "crv", "x", "y"],
        ["use", "kty", "kid", "n", "e"],
      ],
    );
    assert.deepEqual(
      doc.keys.map((k: JWK) => k.kid ?? k.use),
      ["x509-svid", "x509-svid", "x509-svid", "k-p256", "k-p384", "k-p521", "k-rsa"],
    );
    assert.ok(doc.keys.slice(3).every((k: JWK) => k.use === "jwt-svid"));
  });

  it("gives the same text for the same content, whatever the insertion order", () => {
    const a = fullBundle();
    const b = new Bundle({
      trustDomain: td,
      x509Authorities: cas,
      jwtAuthorities: jwtKeys.map((k) => [k.kid, publicJwk(k.publicKey)] as const),
      sequence: 7,
      refreshHintSeconds: 300,
    });
    assert.equal(marshalSpiffeBundle(a), marshalSpiffeBundle(b));
  });

  it("leaves out spiffe_sequence and spiffe_refresh_hint when unset", () => {
    const doc = JSON.parse(marshalSpiffeBundle(new Bundle({ trustDomain: td })));
    assert.deepEqual(doc, { keys: [] });
  });

  it("writes sequence 0 and refresh hint 0", () => {
    const doc = JSON.parse(marshalSpiffeBundle(new Bundle({ trustDomain: td, sequence: 0, refreshHintSeconds: 0 })));
    assert.deepEqual(doc, { spiffe_sequence: 0, spiffe_refresh_hint: 0, keys: [] });
  });

  it("never writes a private key member, even when given a private JWK", async () => {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const privateJwk = await exportJWK(privateKey);
    assert.ok(privateJwk.d);
    const text = marshalSpiffeBundle(new Bundle({ trustDomain: td, jwtAuthorities: [["k", privateJwk]] }));
    const [entry] = JSON.parse(text).keys;
    assert.deepEqual(Object.keys(entry), ["use", "kty", "kid", "n", "e"]);
    for (const member of ["d", "p", "q", "dp", "dq", "qi"]) assert.ok(!text.includes(`"${member}"`), member);
  });

  const refusals: { name: string; bundle: () => Bundle; message: RegExp }[] = [
    {
      name: "an X.509 authority that is not DER",
      bundle: () => new Bundle({ trustDomain: td, x509Authorities: [new Uint8Array([0x30, 0x03, 1, 2, 3])] }),
      message: /^bundle: x509 authority 0 is not a DER X\.509 certificate$/,
    },
    {
      name: "an X.509 authority with bytes after the DER",
      bundle: () => new Bundle({ trustDomain: td, x509Authorities: [caP256!, new Uint8Array([...caP384!, 0])] }),
      message: /^bundle: x509 authority 1 is not a DER X\.509 certificate$/,
    },
    {
      name: "a JWT authority that is not a key",
      bundle: () => new Bundle({ trustDomain: td, jwtAuthorities: [["k", { kty: "EC", crv: "P-256", x: "AA", y: "AA" }]] }),
      message: /^bundle: JWT authority "k" is not a valid public key$/,
    },
    {
      name: "a JWT authority with an empty kid",
      bundle: () => new Bundle({ trustDomain: td, jwtAuthorities: [["", publicJwk(jwtKeys[0]!.publicKey)]] }),
      message: /^bundle: a JWT authority has an empty kid$/,
    },
  ];
  for (const { name, bundle, message } of refusals) {
    it(`refuses ${name}`, () => {
      assert.throws(() => marshalSpiffeBundle(bundle()), { code: INVALID, message });
    });
  }
});

describe("SPIFFE bundle interoperability", () => {
  const doc = JSON.parse(marshalSpiffeBundle(fullBundle()));

  it("every x5c parses with node's X509Certificate and matches its JWK", async () => {
    const entries = doc.keys.filter((k: JWK) => k.use === "x509-svid");
    assert.equal(entries.length, 3);
    for (const [i, entry] of entries.entries()) {
      const cert = new X509Certificate(Buffer.from(entry.x5c[0], "base64"));
      assert.ok(cert.ca);
      assert.ok(Buffer.from(cert.raw).equals(cas[i]!));
      const alg = entry.kty === "RSA" ? "RS256" : entry.crv === "P-256" ? "ES256" : "ES384";
      const key = await importJWK(entry, alg);
      assert.ok(key);
      assert.ok(createPublicKey({ key: entry, format: "jwk" }).equals(cert.publicKey));
    }
  });

  for (const [i, key] of jwtKeys.entries()) {
    it(`the jwt-svid JWK ${key.kid} imports with jose and verifies the key's signatures`, async () => {
      const entry = doc.keys.find((k: JWK) => k.kid === key.kid);
      const token = await new CompactSign(new TextEncoder().encode(`payload ${i}`))
        .setProtectedHeader({ alg: key.alg })
        .sign(key.privateKey);
      const verified = await compactVerify(token, await importJWK(entry, key.alg));
      assert.equal(new TextDecoder().decode(verified.payload), `payload ${i}`);
      const other = jwtKeys[(i + 1) % jwtKeys.length]!;
      const forged = await new CompactSign(new TextEncoder().encode("x")).setProtectedHeader({ alg: other.alg }).sign(other.privateKey);
      await assert.rejects(async () => compactVerify(forged, await importJWK(entry, key.alg)));
    });
  }
});

describe("parseSpiffeBundle", () => {
  it("round-trips a full bundle through the document, text and object", () => {
    const original = fullBundle();
    const text = marshalSpiffeBundle(original);
    const parsed = parseSpiffeBundle(text, td);
    assertSameBundle(parsed, original);
    assertSameBundle(parseSpiffeBundle(JSON.parse(text), td), original);
    assert.equal(marshalSpiffeBundle(parsed), text);
  });

  it("round-trips an empty bundle", () => {
    const parsed = parseSpiffeBundle('{"keys":[]}', td);
    assert.deepEqual(parsed.x509Authorities, []);
    assert.equal(parsed.jwtAuthorities.size, 0);
    assert.equal(parsed.sequence, undefined);
    assert.equal(parsed.refreshHintSeconds, undefined);
    assert.equal(marshalSpiffeBundle(parsed), '{"keys":[]}');
  });

  it("belongs to the trust domain it was given and answers only for it", () => {
    const parsed = parseSpiffeBundle(marshalSpiffeBundle(fullBundle()), td);
    assert.equal(parsed.trustDomain, td);
    assert.equal(parsed.getX509Authorities(td)?.length, 3);
    assert.ok(parsed.getJwtAuthority(td, "k-rsa"));
    assert.equal(parsed.getJwtAuthority(TrustDomain.fromString("example.com"), "k-rsa"), undefined);
  });

  it("keeps only public members of a jwt-svid JWK and tolerates members it does not know", () => {
    const parsed = parseSpiffeBundle(
      { keys: [jwtEntry(0, { alg: "ES256", key_ops: ["verify"], x5t: "abc" })], other: true, spiffe_extension: 1 },
      td,
    );
    assert.deepEqual(Object.keys(parsed.jwtAuthorities.get("k-p256")!), ["use", "kty", "kid", "crv", "x", "y"]);
  });

  it("accepts an x509-svid entry that carries a kid, and collapses a repeated certificate", () => {
    const parsed = parseSpiffeBundle({ keys: [x509Entry(caP256!, { kid: "ca" }), x509Entry(caP256!)] }, td);
    assert.equal(parsed.x509Authorities.length, 1);
    assert.ok(Buffer.from(parsed.x509Authorities[0]!).equals(caP256!));
  });

  const ignored: { name: string; entry: Record<string, unknown> }[] = [
    { name: "no use", entry: jwtEntry(0, { use: undefined }) },
    { name: "an unknown use", entry: jwtEntry(0, { use: "wit-svid" }) },
    { name: "a use in the wrong case", entry: x509Entry(caP256!, { use: "X509-SVID" }) },
    { name: "the JOSE use sig", entry: jwtEntry(0, { use: "sig" }) },
    { name: "an unknown key type", entry: { use: "jwt-svid", kid: "okp", kty: "OKP", crv: "Ed25519", x: "AA" } },
    { name: "a symmetric key type without key material", entry: { use: "jwt-svid", kid: "oct", kty: "oct" } },
  ];
  for (const { name, entry } of ignored) {
    it(`ignores an entry with ${name}, keeping the others`, () => {
      const parsed = parseSpiffeBundle({ keys: [entry, x509Entry(caRsa!), jwtEntry(3)] }, td);
      assert.equal(parsed.x509Authorities.length, 1);
      assert.ok(Buffer.from(parsed.x509Authorities[0]!).equals(caRsa!));
      assert.deepEqual([...parsed.jwtAuthorities.keys()], ["k-rsa"]);
    });
  }

  const otherCa = x509Entry(caP384!);
  const notACert = Buffer.from("this is not a certificate").toString("base64");
  const refusals: { name: string; doc: unknown; message: RegExp }[] = [
    { name: "text that is not JSON", doc: "{", message: /^bundle: document is not valid JSON$/ },
    { name: "a JSON array", doc: "[]", message: /^bundle: document must be a JSON object$/ },
    { name: "JSON null", doc: "null", message: /^bundle: document must be a JSON object$/ },
    { name: "a JSON string", doc: '"keys"', message: /^bundle: document must be a JSON object$/ },
    { name: "a document without keys", doc: {}, message: /^bundle: keys is missing$/ },
    { name: "keys that are not an array", doc: { keys: {} }, message: /^bundle: keys must be an array$/ },
    { name: "keys null", doc: { keys: null }, message: /^bundle: keys must be an array$/ },
    {
      name: "a negative spiffe_sequence",
      doc: { keys: [], spiffe_sequence: -1 },
      message: /^bundle: spiffe_sequence must be a non-negative integer/,
    },
    { name: "a fractional spiffe_sequence", doc: { keys: [], spiffe_sequence: 1.5 }, message: /^bundle: spiffe_sequence must be/ },
    { name: "a string spiffe_sequence", doc: { keys: [], spiffe_sequence: "1" }, message: /^bundle: spiffe_sequence must be/ },
    { name: "a null spiffe_sequence", doc: { keys: [], spiffe_sequence: null }, message: /^bundle: spiffe_sequence must be/ },
    {
      name: "a spiffe_sequence past 2^53-1",
      doc: '{"keys":[],"spiffe_sequence":9007199254740993}',
      message: /^bundle: spiffe_sequence must be/,
    },
    { name: "a negative spiffe_refresh_hint", doc: { keys: [], spiffe_refresh_hint: -5 }, message: /^bundle: spiffe_refresh_hint must be/ },
    {
      name: "a string spiffe_refresh_hint",
      doc: { keys: [], spiffe_refresh_hint: "300" },
      message: /^bundle: spiffe_refresh_hint must be/,
    },
    { name: "a key that is a string", doc: { keys: ["key"] }, message: /^bundle: keys\[0\] must be a JSON object$/ },
    { name: "a key that is null", doc: { keys: [x509Entry(caP256!), null] }, message: /^bundle: keys\[1\] must be a JSON object$/ },
    { name: "a key that is an array", doc: { keys: [[]] }, message: /^bundle: keys\[0\] must be a JSON object$/ },
    { name: "a key without kty", doc: { keys: [jwtEntry(0, { kty: undefined })] }, message: /^bundle: keys\[0\] has no kty$/ },
    { name: "a key with a numeric kty", doc: { keys: [jwtEntry(0, { kty: 2 })] }, message: /^bundle: keys\[0\] has no kty$/ },
    {
      name: "an EC jwt-svid key with d",
      doc: { keys: [jwtEntry(0, { d: "AAAA" })] },
      message: /^bundle: keys\[0\] has the private key member "d"$/,
    },
    {
      name: "an x509-svid key with d",
      doc: { keys: [x509Entry(caP256!, { d: "AAAA" })] },
      message: /^bundle: keys\[0\] has the private key member "d"$/,
    },
    {
      name: "an RSA key with p",
      doc: { keys: [jwtEntry(3, { p: "AAAA" })] },
      message: /^bundle: keys\[0\] has the private key member "p"$/,
    },
    {
      name: "an RSA key with qi",
      doc: { keys: [jwtEntry(3, { qi: "AAAA" })] },
      message: /^bundle: keys\[0\] has the private key member "qi"$/,
    },
    {
      name: "a symmetric key",
      doc: { keys: [{ use: "jwt-svid", kid: "h", kty: "oct", k: "c2VjcmV0" }] },
      message: /^bundle: keys\[0\] has the private key member "k"$/,
    },
    {
      name: "a private key with an unknown use",
      doc: { keys: [jwtEntry(0, { use: "other", d: "AAAA" })] },
      message: /^bundle: keys\[0\] has the private key member "d"$/,
    },
    {
      name: "an x509-svid key without x5c",
      doc: { keys: [x509Entry(caP256!, { x5c: undefined })] },
      message: /^bundle: keys\[0\] \(x509-svid\) must carry exactly one x5c certificate, has 0$/,
    },
    {
      name: "an x509-svid key with an empty x5c",
      doc: { keys: [x509Entry(caP256!, { x5c: [] })] },
      message: /exactly one x5c certificate, has 0$/,
    },
    {
      name: "an x509-svid key with two certificates",
      doc: { keys: [x509Entry(caP256!, { x5c: [otherCa.x5c, otherCa.x5c].flat() })] },
      message: /exactly one x5c certificate, has 2$/,
    },
    {
      name: "an x509-svid key with x5c a string",
      doc: { keys: [x509Entry(caP256!, { x5c: (otherCa.x5c as string[])[0] })] },
      message: /exactly one x5c certificate, has 0$/,
    },
    {
      name: "an x5c that is a number",
      doc: { keys: [x509Entry(caP256!, { x5c: [42] })] },
      message: /^bundle: keys\[0\] x5c\[0\] is not base64$/,
    },
    {
      name: "an x5c in base64url",
      doc: { keys: [x509Entry(caP256!, { x5c: [Buffer.from(caP256!).toString("base64url")] })] },
      message: /^bundle: keys\[0\] x5c\[0\] is not base64$/,
    },
    {
      name: "an x5c with whitespace",
      doc: { keys: [x509Entry(caP256!, { x5c: [` ${Buffer.from(caP256!).toString("base64")}`] })] },
      message: /x5c\[0\] is not base64$/,
    },
    {
      name: "an x5c that is not a certificate",
      doc: { keys: [x509Entry(caP256!, { x5c: [notACert] })] },
      message: /^bundle: keys\[0\] x5c\[0\] is not a DER X\.509 certificate$/,
    },
    {
      name: "an x5c with bytes after the certificate",
      doc: { keys: [x509Entry(caP256!, { x5c: [Buffer.concat([caP256!, Buffer.from([0])]).toString("base64")] })] },
      message: /x5c\[0\] is not a DER X\.509 certificate$/,
    },
    {
      name: "an x5c whose key is not the JWK's (same curve)",
      doc: { keys: [x509Entry(caP256!, { x5c: [Buffer.from(caP384!).toString("base64")] })] },
      message: /^bundle: keys\[0\] public key does not match its x5c certificate$/,
    },
    {
      name: "an x5c whose key is not the JWK's (other key type)",
      doc: { keys: [x509Entry(caRsa!, { x5c: otherCa.x5c })] },
      message: /^bundle: keys\[0\] public key does not match its x5c certificate$/,
    },
    {
      name: "an x509-svid JWK that is not a key",
      doc: { keys: [x509Entry(caP256!, { y: "AAAA" })] },
      message: /^bundle: keys\[0\] is not a valid EC public key$/,
    },
    {
      name: "a jwt-svid key without kid",
      doc: { keys: [jwtEntry(0, { kid: undefined })] },
      message: /^bundle: keys\[0\] \(jwt-svid\) must have a kid$/,
    },
    {
      name: "a jwt-svid key with an empty kid",
      doc: { keys: [jwtEntry(0, { kid: "" })] },
      message: /^bundle: keys\[0\] \(jwt-svid\) must have a kid$/,
    },
    {
      name: "a jwt-svid key with a numeric kid",
      doc: { keys: [jwtEntry(0, { kid: 1 })] },
      message: /^bundle: keys\[0\] \(jwt-svid\) must have a kid$/,
    },
    {
      name: "a duplicate kid",
      doc: { keys: [jwtEntry(0), jwtEntry(1), jwtEntry(3, { kid: "k-p256" })] },
      message: /^bundle: keys\[2\] repeats the jwt-svid kid "k-p256"$/,
    },
    {
      name: "an EC point off the curve",
      doc: { keys: [jwtEntry(0, { y: jwtEntry(0).x })] },
      message: /^bundle: keys\[0\] is not a valid EC public key$/,
    },
    {
      name: "an EC key without y",
      doc: { keys: [jwtEntry(0, { y: undefined })] },
      message: /^bundle: keys\[0\] is not a valid EC public key$/,
    },
    {
      name: "an RSA key without n",
      doc: { keys: [jwtEntry(3, { n: undefined })] },
      message: /^bundle: keys\[0\] is not a valid RSA public key$/,
    },
    {
      name: "an EC key on an unsupported curve",
      doc: {
        keys: [
          { use: "jwt-svid", kid: "k1", ...generateKeyPairSync("ec", { namedCurve: "secp256k1" }).publicKey.export({ format: "jwk" }) },
        ],
      },
      message: /^bundle: keys\[0\] \(jwt-svid\) is not a supported key$/,
    },
  ];
  for (const { name, doc, message } of refusals) {
    it(`refuses ${name}`, () => {
      assert.throws(() => parseSpiffeBundle(doc as object, td), { code: INVALID, message });
    });
  }

  it("names the index of a mismatched entry that follows a good one", () => {
    const mismatch = { ...x509Entry(caP256!), x5c: [Buffer.from(caP384!).toString("base64")] };
    assert.throws(() => parseSpiffeBundle({ keys: [x509Entry(caP384!), mismatch] }, td), {
      code: INVALID,
      message: /^bundle: keys\[1\] public key does not match its x5c certificate$/,
    });
  });
});
