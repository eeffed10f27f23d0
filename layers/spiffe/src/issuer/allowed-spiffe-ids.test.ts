import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SpiffeId, TrustDomain } from "../spiffeid/index.js";
import { isSpiffeIdAllowed, validateAllowedSpiffeIdPattern } from "./allowed-spiffe-ids.js";

const td = TrustDomain.fromString("example.org");
const ctx = { bot: "ci", instance: "i-1", attributes: { account: "123456789012", role: "deployer", bad: "a/b", dots: ".." } };

describe("isSpiffeIdAllowed", () => {
  const cases: [string, string[], string, boolean][] = [
    ["exact match", ["spiffe://example.org/web"], "spiffe://example.org/web", true],
    ["exact mismatch", ["spiffe://example.org/web"], "spiffe://example.org/web2", false],
    ["exact does not allow children", ["spiffe://example.org/web"], "spiffe://example.org/web/a", false],
    ["wildcard allows a child", ["spiffe://example.org/web/*"], "spiffe://example.org/web/a", true],
    ["wildcard allows a grandchild", ["spiffe://example.org/web/*"], "spiffe://example.org/web/a/b", true],
    ["wildcard is segment-aware", ["spiffe://example.org/web/*"], "spiffe://example.org/webx/a", false],
    ["wildcard excludes its base", ["spiffe://example.org/web/*"], "spiffe://example.org/web", false],
    ["wildcard of another trust domain", ["spiffe://example.com/web/*"], "spiffe://example.org/web/a", false],
    ["template from attributes", ["spiffe://example.org/aws/{{account}}/{{role}}"], "spiffe://example.org/aws/123456789012/deployer", true],
    ["template with another value", ["spiffe://example.org/aws/{{account}}/{{role}}"], "spiffe://example.org/aws/999999999999/deployer", false],
    ["template from the bot name", ["spiffe://example.org/bots/{{bot}}"], "spiffe://example.org/bots/ci", true],
    ["template with a missing attribute", ["spiffe://example.org/x/{{nothing}}"], "spiffe://example.org/x/y", false],
    ["template value with a slash is no match", ["spiffe://example.org/x/{{bad}}"], "spiffe://example.org/x/a/b", false],
    ["template value of dots is no match", ["spiffe://example.org/x/{{dots}}/y"], "spiffe://example.org/y", false],
    ["template with wildcard", ["spiffe://example.org/aws/{{account}}/*"], "spiffe://example.org/aws/123456789012/anything", true],
    ["second pattern matches", ["spiffe://example.org/a", "spiffe://example.org/b"], "spiffe://example.org/b", true],
    ["no patterns", [], "spiffe://example.org/a", false],
  ];
  for (const [name, patterns, id, allowed] of cases) {
    it(name, () => assert.equal(isSpiffeIdAllowed(SpiffeId.fromString(id), patterns, ctx), allowed));
  }
});

describe("validateAllowedSpiffeIdPattern", () => {
  const good = ["spiffe://example.org/web", "spiffe://example.org/web/*", "spiffe://example.org/*", "spiffe://example.org/aws/{{account}}/{{ role }}"];
  for (const p of good) it(`accepts ${p}`, () => validateAllowedSpiffeIdPattern(p, td));
  const bad: [string, string][] = [
    ["spiffe://example.com/web", "ERR_SPIFFEID_NOT_ALLOWED"],
    ["spiffe://example.org", "ERR_SPIFFEID_NOT_ALLOWED"],
    ["spiffe://example.org/web/", "ERR_SPIFFEID_INVALID"],
    ["spiffe://example.org/{{Bad}}", "ERR_SPIFFEID_INVALID"],
    ["spiffe://example.org/{{x", "ERR_SPIFFEID_INVALID"],
    ["http://example.org/web", "ERR_SPIFFEID_INVALID"],
    ["spiffe://example.org/a/../b", "ERR_SPIFFEID_INVALID"],
  ];
  for (const [p, code] of bad) {
    it(`refuses ${p}`, () => assert.throws(() => validateAllowedSpiffeIdPattern(p, td), (err: { code?: string }) => err.code === code));
  }
});
