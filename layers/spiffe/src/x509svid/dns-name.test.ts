import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { normalizeDnsName, validateDnsName, validateDnsNames } from "./dns-name.js";

describe("validateDnsName", () => {
  const valid = [
    "localhost",
    "web.example.org",
    "*.example.org",
    "WEB.Example.ORG",
    "a-b.c-d.example",
    "1.example.org",
    "x".repeat(63) + ".org",
    ["a".repeat(61), "b".repeat(63), "c".repeat(63), "d".repeat(63)].join("."),
  ];
  for (const name of valid) {
    it(`accepts ${name.slice(0, 40)}`, () => assert.doesNotThrow(() => validateDnsName(name)));
  }
  const invalid = [
    "",
    ".",
    "example.org.",
    ".example.org",
    "a..b",
    "-a.example.org",
    "a-.example.org",
    "a_b.example.org",
    "*",
    "*.",
    "a.*.example.org",
    "**.example.org",
    "*a.example.org",
    "10.0.0.1",
    "example.123",
    "[::1]",
    "web example.org",
    "wéb.example.org",
    "x".repeat(64) + ".org",
    ["a".repeat(62), "b".repeat(63), "c".repeat(63), "d".repeat(63)].join("."),
  ];
  for (const name of invalid) {
    it(`refuses ${JSON.stringify(name.slice(0, 40))}`, () => {
      assert.throws(() => validateDnsName(name), { code: "ERR_X509SVID_INVALID", message: /^x509svid: DNS name/ });
    });
  }
});

describe("validateDnsNames", () => {
  it("accepts up to 64 distinct names and refuses 65 or a repeat", () => {
    const names = Array.from({ length: 64 }, (_, i) => `w${i}.example.org`);
    assert.doesNotThrow(() => validateDnsNames(names));
    assert.throws(() => validateDnsNames([...names, "w64.example.org"]), { code: "ERR_X509SVID_INVALID", message: /at most 64/ });
    assert.throws(() => validateDnsNames(["a.example.org", "A.example.org"]), { code: "ERR_X509SVID_INVALID", message: /repeated/ });
  });
});

describe("normalizeDnsName", () => {
  const cases: [string, string][] = [
    ["Web.Example.ORG", "web.example.org"],
    ["web.example.org.", "web.example.org"],
    ["*.Example.org.", "*.example.org"],
    ["example.org..", "example.org."],
    // Only ASCII letters are lowercased: the Kelvin sign must not become a "k" that passes the hostname rules.
    ["\u212a.example.org", "\u212a.example.org"],
  ];
  for (const [name, normal] of cases) it(`${JSON.stringify(name)} -> ${normal}`, () => assert.equal(normalizeDnsName(name), normal));
});
