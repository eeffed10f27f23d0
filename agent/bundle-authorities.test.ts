import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { Bundle, createCaCertificate, TrustDomain } from "#tessera/core";
import { createTestSigningKey } from "#tessera/test-support";
import { addX509Authorities } from "./bundle-authorities.js";

const TD = TrustDomain.fromString("example.org");
const NOW = Date.now();
const makeCa = () =>
  createCaCertificate({
    key: createTestSigningKey("ECC_NIST_P256"),
    trustDomain: TD,
    notBefore: new Date(NOW - 60_000),
    notAfter: new Date(NOW + 86_400_000),
  });

describe("addX509Authorities", () => {
  let a: Uint8Array;
  let b: Uint8Array;
  before(async () => {
    [a, b] = [await makeCa(), await makeCa()];
  });

  it("adds only the authorities the bundle lacks, keeping its sequence and refresh hint", () => {
    const bundle = new Bundle({ trustDomain: TD, x509Authorities: [a], sequence: 7, refreshHintSeconds: 60 });
    const merged = addX509Authorities(bundle, [Uint8Array.from(a), b]);
    assert.ok(merged);
    assert.deepEqual(merged.x509Authorities, [a, b]);
    assert.equal(merged.sequence, 7);
    assert.equal(merged.refreshHintSeconds, 60);
  });

  it("answers undefined when the bundle holds them all", () => {
    assert.equal(addX509Authorities(new Bundle({ trustDomain: TD, x509Authorities: [a, b] }), [b, a]), undefined);
  });
});
