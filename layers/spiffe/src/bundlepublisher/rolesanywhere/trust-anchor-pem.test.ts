import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { marshalPemBundle } from "../../bundle/index.js";
import { bundleOf, makeCaCertificate, makeLargeCaCertificate } from "../test/fixtures.js";
import { MAX_TRUST_ANCHOR_PEM_CHARACTERS, sameCertificates, trustAnchorPemOf } from "./trust-anchor-pem.js";

describe("trustAnchorPemOf", () => {
  let cas: Uint8Array[];
  before(async () => {
    cas = await Promise.all([makeCaCertificate(), makeCaCertificate(), makeCaCertificate()]);
  });

  it("is the bundle's PEM for one or two CAs", () => {
    for (const certificates of [cas.slice(0, 1), cas.slice(0, 2)]) {
      const bundle = bundleOf(certificates);
      const pem = trustAnchorPemOf(bundle);
      assert.equal(pem, marshalPemBundle(bundle));
      assert.equal(pem.match(/-----BEGIN CERTIFICATE-----/g)?.length, certificates.length);
    }
  });

  const refusals: [string, () => Uint8Array[], RegExp][] = [
    ["no CA", () => [], /has no X\.509 authority/],
    ["three CAs", () => cas, /has 3 X\.509 authorities; a Roles Anywhere trust anchor holds at most 2/],
  ];
  for (const [name, certificates, message] of refusals) {
    it(`refuses ${name}`, () =>
      assert.throws(
        () => trustAnchorPemOf(bundleOf(certificates())),
        (err: { code?: string; message: string }) => err.code === "ERR_TRUST_ANCHOR_LIMIT" && message.test(err.message),
      ));
  }

  it("refuses two CAs whose PEM is longer than 8,000 characters", () => {
    const bundle = bundleOf([makeLargeCaCertificate(180), makeLargeCaCertificate(180)]);
    const length = marshalPemBundle(bundle).length;
    assert.ok(length > MAX_TRUST_ANCHOR_PEM_CHARACTERS, `fixture too small: ${length}`);
    assert.throws(
      () => trustAnchorPemOf(bundle),
      (err: { code?: string; message: string }) =>
        err.code === "ERR_TRUST_ANCHOR_LIMIT" &&
        err.message === `bundlepublisher: the bundle's PEM is ${length} characters; a Roles Anywhere trust anchor holds at most 8000`,
    );
  });
});

describe("sameCertificates", () => {
  let a: string;
  let b: string;
  before(async () => {
    a = marshalPemBundle(bundleOf([await makeCaCertificate()]));
    b = marshalPemBundle(bundleOf([await makeCaCertificate()]));
  });

  it("ignores line endings, trailing space and order", () => {
    assert.equal(sameCertificates(`${b}${a}`.replace(/\n/g, "\r\n").trimEnd(), `${a}${b}`), true);
  });

  it("tells different sets apart", () => {
    assert.equal(sameCertificates(a, `${a}${b}`), false);
    assert.equal(sameCertificates(b, a), false);
    assert.equal(sameCertificates(`${a}${a}`, `${a}${b}`), false);
  });

  it("treats missing or malformed PEM as different", () => {
    assert.equal(sameCertificates(undefined, a), false);
    assert.equal(sameCertificates("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n", a), false);
  });
});
