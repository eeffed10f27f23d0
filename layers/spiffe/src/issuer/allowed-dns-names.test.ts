import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isDnsNameAllowed, validateAllowedDnsNamePattern } from "./allowed-dns-names.js";

describe("isDnsNameAllowed", () => {
  const rules = ["web.internal", "*.svc.example.org", "localhost"];
  const cases: [string, string, boolean][] = [
    ["an exact rule grants its name", "web.internal", true],
    ["compared without case or a trailing dot", "WEB.Internal.", true],
    ["an exact rule grants nothing below it", "a.web.internal", false],
    ["a wildcard rule grants one label under it", "db.svc.example.org", true],
    ["a wildcard rule grants the wildcard itself", "*.svc.example.org", true],
    ["a wildcard rule does not grant its base", "svc.example.org", false],
    ["a wildcard rule does not grant two labels under it", "a.db.svc.example.org", false],
    ["a wildcard rule does not grant a deeper wildcard", "*.db.svc.example.org", false],
    ["a wildcard rule does not grant a wider wildcard", "*.example.org", false],
    ["a wildcard rule matches whole labels only", "xsvc.example.org", false],
    ["a wildcard rule needs a real label in front", ".svc.example.org", false],
    ["a name in no rule", "www.google.com", false],
    ["an exact rule for localhost", "localhost", true],
  ];
  for (const [name, dnsName, allowed] of cases) it(name, () => assert.equal(isDnsNameAllowed(dnsName, rules), allowed));

  it("an exact rule never grants a wildcard", () => {
    assert.equal(isDnsNameAllowed("*.example.org", ["a.example.org", "example.org"]), false);
  });
  it("no rules grant nothing (bots stored before DNS rules existed)", () => {
    for (const name of ["localhost", "www.google.com", "*.example.org"]) assert.equal(isDnsNameAllowed(name, []), false);
  });
});

describe("validateAllowedDnsNamePattern", () => {
  const good: [string, string][] = [
    ["web.internal", "web.internal"],
    ["Web.Example.ORG.", "web.example.org"],
    ["*.svc.example.org", "*.svc.example.org"],
    ["*.Example.org", "*.example.org"],
    ["localhost", "localhost"],
  ];
  for (const [rule, stored] of good) it(`accepts ${rule} as ${stored}`, () => assert.equal(validateAllowedDnsNamePattern(rule), stored));
  const bad = [
    "",
    "*",
    "*.",
    "*.org",
    "*.com.",
    "a.*.example.org",
    "w*.example.org",
    "**.example.org",
    "{{bot}}.example.org",
    "10.0.0.1",
    "a..b",
    "wéb.example.org",
    "\u212a.example.org",
    "x".repeat(254),
  ];
  for (const rule of bad) {
    it(`refuses ${JSON.stringify(rule.slice(0, 40))}`, () =>
      assert.throws(() => validateAllowedDnsNamePattern(rule), { code: "ERR_POLICY_INVALID" }));
  }
});
