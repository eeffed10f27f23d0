import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SpiffeId, TrustDomain } from "../spiffeid/index.js";
import { isSpiffeIdAllowed, validateAllowedSpiffeIdPattern } from "./allowed-spiffe-ids.js";
import { placeholdersFor } from "./policy-template.js";

const td = TrustDomain.fromString("example.org");
const ctx = { bot: "ci", instance: "i-1", attributes: { account: "123456789012", role: "deployer", bad: "a/b", dots: "..", valueof: "v" } };
const tokenOnly = placeholdersFor(["token"]);

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
    [
      "template with another value",
      ["spiffe://example.org/aws/{{account}}/{{role}}"],
      "spiffe://example.org/aws/999999999999/deployer",
      false,
    ],
    ["template from the bot name", ["spiffe://example.org/bots/{{bot}}"], "spiffe://example.org/bots/ci", true],
    ["template with a missing attribute", ["spiffe://example.org/x/{{nothing}}"], "spiffe://example.org/x/y", false],
    ["template value with a slash is no match", ["spiffe://example.org/x/{{bad}}"], "spiffe://example.org/x/a/b", false],
    ["template value of dots is no match", ["spiffe://example.org/x/{{dots}}/y"], "spiffe://example.org/y", false],
    ["template with wildcard", ["spiffe://example.org/aws/{{account}}/*"], "spiffe://example.org/aws/123456789012/anything", true],
    ["second pattern matches", ["spiffe://example.org/a", "spiffe://example.org/b"], "spiffe://example.org/b", true],
    ["no patterns", [], "spiffe://example.org/a", false],
    ["a placeholder naming an Object member finds nothing", ["spiffe://example.org/p/{{constructor}}"], "spiffe://example.org/p/x", false],
    ["{{__proto__}} finds nothing", ["spiffe://example.org/p/{{__proto__}}"], "spiffe://example.org/p/x", false],
    [
      "{{tostring}} finds nothing",
      ["spiffe://example.org/p/{{tostring}}", "spiffe://example.org/p/{{toString}}"],
      "spiffe://example.org/p/x",
      false,
    ],
    ["an attribute named like an Object member is used", ["spiffe://example.org/p/{{valueof}}"], "spiffe://example.org/p/v", true],
    [
      "a malformed pattern grants nothing, the next one still does",
      ["spiffe://example.org/p/{{x", "spiffe://example.org/p/*"],
      "spiffe://example.org/p/q",
      true,
    ],
    ["a spaced placeholder grants nothing", ["spiffe://example.org/bots/{{ bot }}"], "spiffe://example.org/bots/ci", false],
  ];
  for (const [name, patterns, id, allowed] of cases) {
    it(name, () => assert.equal(isSpiffeIdAllowed(SpiffeId.fromString(id), patterns, ctx), allowed));
  }
});

describe("isSpiffeIdAllowed and the prototype chain", () => {
  it("fills a placeholder from the attributes' own properties only, even when a prototype carries a string", () => {
    const inherited = Object.create({ role: "admin" }) as Record<string, string>;
    const context = { bot: "ci", instance: "i-1", attributes: inherited };
    assert.equal(
      isSpiffeIdAllowed(SpiffeId.fromString("spiffe://example.org/r/admin"), ["spiffe://example.org/r/{{role}}"], context),
      false,
    );
  });
});

describe("validateAllowedSpiffeIdPattern", () => {
  const good = [
    "spiffe://example.org/web",
    "spiffe://example.org/web/*",
    "spiffe://example.org/*",
    "spiffe://example.org/bots/{{bot}}/{{instance}}",
    "spiffe://example.org/b-{{bot}}/*",
  ];
  for (const p of good) it(`accepts ${p}`, () => validateAllowedSpiffeIdPattern(p, td, tokenOnly));
  const bad: [string, string][] = [
    ["spiffe://example.com/web", "ERR_SPIFFEID_NOT_ALLOWED"],
    ["spiffe://example.org", "ERR_SPIFFEID_NOT_ALLOWED"],
    ["spiffe://example.org/web/", "ERR_SPIFFEID_INVALID"],
    ["http://example.org/web", "ERR_SPIFFEID_INVALID"],
    ["spiffe://example.org/a/../b", "ERR_SPIFFEID_INVALID"],
    ["spiffe://example.org/a*", "ERR_SPIFFEID_INVALID"],
    ["spiffe://example.org/{{Bad}}", "ERR_POLICY_INVALID"],
    ["spiffe://example.org/{{x", "ERR_POLICY_INVALID"],
    ["spiffe://example.org/x}}", "ERR_POLICY_INVALID"],
    ["spiffe://example.org/{{{bot}}}", "ERR_POLICY_INVALID"],
    ["spiffe://example.org/{bot}", "ERR_POLICY_INVALID"],
    ["spiffe://example.org/{{}}", "ERR_POLICY_INVALID"],
    ["spiffe://example.org/p/{{constructor}}", "ERR_POLICY_INVALID"],
    ["spiffe://example.org/p/{{__proto__}}", "ERR_POLICY_INVALID"],
    ["spiffe://example.org/p/{{foo}}", "ERR_POLICY_INVALID"],
    ["spiffe://example.org/p/{{ bot }}", "ERR_POLICY_INVALID"],
    ["spiffe://example.org/aws/{{account}}/{{role}}", "ERR_POLICY_INVALID"],
  ];
  for (const [p, code] of bad) {
    it(`refuses ${p}`, () =>
      assert.throws(
        () => validateAllowedSpiffeIdPattern(p, td, tokenOnly),
        (err: { code?: string }) => err.code === code,
      ));
  }

  it("takes a join attribute only from the placeholders it is given", () => {
    const pattern = "spiffe://example.org/aws/{{account}}/{{role}}";
    validateAllowedSpiffeIdPattern(pattern, td, new Set(["bot", "instance", "account", "role"]));
    assert.throws(() => validateAllowedSpiffeIdPattern(pattern, td, new Set(["bot", "instance", "account"])), {
      code: "ERR_POLICY_INVALID",
      message: /\{\{role\}\}/,
    });
  });
});

describe("placeholdersFor", () => {
  it("offers bot and instance, and no join attribute for tokens or methods without a verifier", () => {
    assert.deepEqual([...placeholdersFor(["token"])].sort(), ["bot", "instance"]);
    assert.deepEqual([...placeholdersFor(["token"])].sort(), ["bot", "instance"]);
  });
  it("offers each platform verifier's attributes to bots joining with it", () => {
    const oidc = placeholdersFor(["token", "oidc"]);
    for (const name of ["sub", "repository_owner", "repository_name", "namespace", "service_account"]) assert.ok(oidc.has(name), name);
    assert.ok(!oidc.has("project_number"));
    const ec2 = placeholdersFor(["aws_ec2"]);
    for (const name of ["account", "region", "instance_id", "ami_id", "instance_type", "availability_zone"]) assert.ok(ec2.has(name), name);
    assert.ok(!ec2.has("repository"));
    const gcp = placeholdersFor(["gcp"]);
    for (const name of ["project_id", "zone", "instance_name"]) assert.ok(gcp.has(name), name);
    const aws = placeholdersFor(["aws_iam"]);
    for (const name of ["account", "role", "session_name", "user_name"]) assert.ok(aws.has(name), name);
    assert.ok(!aws.has("project_id"));
  });
  it("ignores names that are not join methods, prototype members included", () => {
    assert.deepEqual([...placeholdersFor(["constructor", "__proto__", "toString"])].sort(), ["bot", "instance"]);
  });
});
