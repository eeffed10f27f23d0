import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { describe, it } from "node:test";
import type { JWK } from "jose";
import { TrustDomain } from "../spiffeid/index.js";
import { Bundle } from "./bundle.js";

const td = TrustDomain.fromString("example.org");
const jwk = generateKeyPairSync("ec", { namedCurve: "P-256" }).publicKey.export({ format: "jwk" }) as JWK;
const certA = new Uint8Array([0x30, 1, 2]);
const certB = new Uint8Array([0x30, 3, 4]);

// The two source interfaces, written down here only to prove that a Bundle satisfies them.
interface X509AuthoritySource {
  getX509Authorities(trustDomain: TrustDomain): readonly Uint8Array[] | undefined;
}
interface JwtAuthoritySource {
  getJwtAuthority(trustDomain: TrustDomain, kid: string): JWK | undefined;
}

describe("Bundle as an authority source", () => {
  const bundle = new Bundle({ trustDomain: td, x509Authorities: [certA, certB], jwtAuthorities: [["k1", jwk]] });
  const x509Source: X509AuthoritySource = bundle;
  const jwtSource: JwtAuthoritySource = bundle;

  const x509Cases: { trustDomain: string; expected: readonly Uint8Array[] | undefined }[] = [
    { trustDomain: "example.org", expected: [certA, certB] },
    { trustDomain: "spiffe://example.org/workload", expected: [certA, certB] },
    { trustDomain: "example.com", expected: undefined },
    { trustDomain: "example.org.evil", expected: undefined },
  ];
  for (const { trustDomain, expected } of x509Cases) {
    it(`answers X.509 authorities for ${trustDomain}: ${expected ? "the certificates" : "undefined"}`, () => {
      assert.deepEqual(x509Source.getX509Authorities(TrustDomain.fromString(trustDomain)), expected);
    });
  }

  const jwtCases: { trustDomain: string; kid: string; expected: JWK | undefined }[] = [
    { trustDomain: "example.org", kid: "k1", expected: jwk },
    { trustDomain: "example.org", kid: "k2", expected: undefined },
    { trustDomain: "example.org", kid: "", expected: undefined },
    { trustDomain: "example.com", kid: "k1", expected: undefined },
  ];
  for (const { trustDomain, kid, expected } of jwtCases) {
    it(`answers the JWT authority ${JSON.stringify(kid)} of ${trustDomain}: ${expected ? "the key" : "undefined"}`, () => {
      assert.deepEqual(jwtSource.getJwtAuthority(TrustDomain.fromString(trustDomain), kid), expected);
    });
  }
});

describe("new Bundle", () => {
  it("copies its inputs", () => {
    const certs = [certA];
    const keys = new Map([["k1", jwk]]);
    const bundle = new Bundle({ trustDomain: td, x509Authorities: certs, jwtAuthorities: keys });
    certs.push(certB);
    keys.set("k2", jwk);
    assert.deepEqual(bundle.x509Authorities, [certA]);
    assert.deepEqual([...bundle.jwtAuthorities.keys()], ["k1"]);
  });

  it("defaults to no authorities and no sequence or refresh hint", () => {
    const bundle = new Bundle({ trustDomain: td });
    assert.deepEqual(bundle.x509Authorities, []);
    assert.equal(bundle.jwtAuthorities.size, 0);
    assert.equal(bundle.sequence, undefined);
    assert.equal(bundle.refreshHintSeconds, undefined);
  });

  const counts: { value: number; ok: boolean }[] = [
    { value: 0, ok: true },
    { value: 1, ok: true },
    { value: Number.MAX_SAFE_INTEGER, ok: true },
    { value: -1, ok: false },
    { value: 1.5, ok: false },
    { value: Number.NaN, ok: false },
    { value: Number.POSITIVE_INFINITY, ok: false },
    { value: 2 ** 53, ok: false },
  ];
  for (const field of ["sequence", "refreshHintSeconds"] as const) {
    for (const { value, ok } of counts) {
      it(`${ok ? "accepts" : "refuses"} ${field} ${value}`, () => {
        const make = () => new Bundle({ trustDomain: td, [field]: value });
        if (ok) assert.equal(make()[field], value);
        else assert.throws(make, TypeError);
      });
    }
  }
});
