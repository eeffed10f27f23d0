import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SpiffeId, TrustDomain } from "./spiffe-id.js";

const INVALID = { code: "ERR_TRUST_DOMAIN_INVALID" };
const TD_CHAR = /^[a-z0-9._-]$/;

describe("TrustDomain.fromString: every byte value in a name", () => {
  for (let byte = 0; byte < 256; byte++) {
    const ch = String.fromCharCode(byte);
    const allowed = TD_CHAR.test(ch);
    it(`0x${byte.toString(16).padStart(2, "0")} is ${allowed ? "accepted" : "refused"}`, () => {
      if (allowed) assert.equal(TrustDomain.fromString(`a${ch}b`).name, `a${ch}b`);
      else assert.throws(() => TrustDomain.fromString(`a${ch}b`), INVALID);
    });
  }
});

describe("TrustDomain.fromString", () => {
  const valid: { value: string; name: string }[] = [
    { value: "example.org", name: "example.org" },
    { value: "a", name: "a" },
    { value: "127.0.0.1", name: "127.0.0.1" },
    { value: "my_domain-1.example", name: "my_domain-1.example" },
    { value: "...", name: "..." },
    { value: "t".repeat(255), name: "t".repeat(255) },
    { value: "spiffe://example.org", name: "example.org" },
    { value: "spiffe://example.org/path", name: "example.org" },
    { value: "spiffe://example.org/a/b/c", name: "example.org" },
    { value: `spiffe://${"t".repeat(255)}`, name: "t".repeat(255) },
  ];
  for (const { value, name } of valid) {
    it(`accepts ${value.length > 60 ? `${value.slice(0, 20)}... (${value.length} chars)` : value}`, () => {
      const td = TrustDomain.fromString(value);
      assert.equal(td.name, name);
      assert.equal(td.toString(), name);
      assert.equal(JSON.stringify({ td }), JSON.stringify({ td: name }));
    });
  }

  const invalid: { name: string; value: string }[] = [
    { name: "empty", value: "" },
    { name: "256 bytes", value: "t".repeat(256) },
    { name: "256 bytes in a SPIFFE ID", value: `spiffe://${"t".repeat(256)}` },
    { name: "uppercase", value: "Example.org" },
    { name: "uppercase in a SPIFFE ID", value: "spiffe://Example.org" },
    { name: "port", value: "example.org:8080" },
    { name: "port in a SPIFFE ID", value: "spiffe://example.org:8080" },
    { name: "userinfo", value: "user@example.org" },
    { name: "userinfo in a SPIFFE ID", value: "spiffe://user@example.org" },
    { name: "percent-encoding", value: "ex%61mple.org" },
    { name: "a path without a scheme", value: "example.org/path" },
    { name: "a SPIFFE ID with an uppercase scheme", value: "SPIFFE://example.org" },
    { name: "a SPIFFE ID with one slash", value: "spiffe:/example.org" },
    { name: "an http URL", value: "http://example.org" },
    { name: "a SPIFFE ID without a trust domain", value: "spiffe://" },
    { name: "a SPIFFE ID with a trailing slash", value: "spiffe://example.org/" },
    { name: "a SPIFFE ID with an empty segment", value: "spiffe://example.org/a//b" },
    { name: "a SPIFFE ID with a dot segment", value: "spiffe://example.org/./b" },
    { name: "a SPIFFE ID with a query", value: "spiffe://example.org/a?b" },
    { name: "a SPIFFE ID with a fragment", value: "spiffe://example.org#b" },
    { name: "an IPv6 literal", value: "[::1]" },
  ];
  for (const { name, value } of invalid) {
    it(`refuses ${name} with ERR_TRUST_DOMAIN_INVALID`, () => {
      assert.throws(() => TrustDomain.fromString(value), INVALID);
    });
  }

  it("keeps the SPIFFE ID error as the cause when a SPIFFE ID is refused", () => {
    assert.throws(
      () => TrustDomain.fromString("spiffe://example.org/"),
      (err: Error & { code?: string }) => {
        assert.equal(err.code, "ERR_TRUST_DOMAIN_INVALID");
        assert.match(err.message, /^spiffeid: path cannot have a trailing slash$/);
        assert.equal((err.cause as { code?: string }).code, "ERR_SPIFFEID_INVALID");
        return true;
      },
    );
  });

  it("names the module and the rule in its messages", () => {
    const cases: [string, RegExp][] = [
      ["", /^spiffeid: trust domain is missing$/],
      ["t".repeat(256), /^spiffeid: trust domain is longer than 255 bytes$/],
      ["Example.org", /^spiffeid: trust domain characters are limited to /],
    ];
    for (const [value, message] of cases) assert.throws(() => TrustDomain.fromString(value), { ...INVALID, message });
  });

  it("refuses a value that is not a string with a TypeError", () => {
    assert.throws(() => TrustDomain.fromString(undefined as unknown as string), TypeError);
  });
});

describe("TrustDomain values", () => {
  it("gives its own SPIFFE ID", () => {
    const td = TrustDomain.fromString("example.org");
    assert.equal(td.idString(), "spiffe://example.org");
    const id = td.id();
    assert.ok(id instanceof SpiffeId);
    assert.equal(id.toString(), "spiffe://example.org");
    assert.equal(id.path, "");
    assert.ok(id.memberOf(td));
  });

  const equality: { a: string; b: string; expected: boolean }[] = [
    { a: "example.org", b: "example.org", expected: true },
    { a: "example.org", b: "spiffe://example.org/x", expected: true },
    { a: "example.org", b: "example.com", expected: false },
    { a: "example.org", b: "example.org.", expected: false },
  ];
  for (const { a, b, expected } of equality) {
    it(`${a} ${expected ? "equals" : "differs from"} ${b}`, () => {
      assert.equal(TrustDomain.fromString(a).equals(TrustDomain.fromString(b)), expected);
    });
  }
});
