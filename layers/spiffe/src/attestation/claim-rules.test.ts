import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { claimRulesMatch, matchesGlob, validateClaimRules } from "./claim-rules.js";

describe("matchesGlob", () => {
  const cases: [string, string, boolean][] = [
    ["acme/app", "acme/app", true],
    ["acme/app", "acme/app2", false],
    ["acme/*", "acme/app", true],
    ["acme/*", "acme/", true],
    ["acme/*", "acmeX/app", false],
    ["refs/tags/v*", "refs/tags/v1.2", true],
    ["refs/tags/v*", "refs/heads/v1", false],
    ["*-prod", "web-prod", true],
    ["*-prod", "web-prod-x", false],
    ["a*b*c", "abc", true],
    ["a*b*c", "aXbYc", true],
    ["a*b*c", "acb", false],
    ["ab*ba", "aba", false],
    ["repo:acme/*:ref:refs/heads/main", "repo:acme/app:ref:refs/heads/main", true],
    ["repo:acme/*:ref:refs/heads/main", "repo:acme/app:ref:refs/heads/main2", false],
  ];
  for (const [glob, value, expected] of cases)
    it(`${glob} ${expected ? "matches" : "does not match"} ${value}`, () => assert.equal(matchesGlob(glob, value), expected));
});

describe("claim rules", () => {
  it("need every named claim present and matching one of its globs", () => {
    const rules = validateClaimRules({ repository: "acme/*", ref: ["refs/heads/main", "refs/tags/*"] }, "t");
    assert.equal(claimRulesMatch(rules, { repository: "acme/app", ref: "refs/tags/v1" }), true);
    assert.equal(claimRulesMatch(rules, { repository: "acme/app", ref: "refs/heads/dev" }), false);
    assert.equal(claimRulesMatch(rules, { repository: "acme/app" }), false);
    assert.equal(claimRulesMatch(validateClaimRules({ constructor: "x" }, "t"), {}), false);
  });
  it("refuse rules that constrain nothing or are malformed", () => {
    for (const bad of [[], "x", { a: "*" }, { a: [] }, { a: [""] }, { a: 1 }, { "a b": "x" }]) {
      assert.throws(() => validateClaimRules(bad, "t"), { code: "ERR_POLICY_INVALID" });
    }
    assert.throws(() => validateClaimRules({ ref: "x" }, "t", ["repository"]), { code: "ERR_POLICY_INVALID" });
  });
});
