import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { joinRulesFromFlags } from "./join-rule-flags.js";

describe("joinRulesFromFlags", () => {
  it("defaults to the token method", () => assert.deepEqual(joinRulesFromFlags({}), [{ method: "token" }]));
  it("builds an oidc rule from --oidc-* and repeated --claim flags", () => {
    const rules = joinRulesFromFlags({
      "join-method": ["token", "oidc"],
      "oidc-preset": "github",
      "oidc-audience": "tessera",
      claim: ["repository=acme/app", "ref=refs/heads/main", "ref=refs/tags/v*", "sub=a=b"],
    });
    assert.deepEqual(rules, [
      { method: "token" },
      {
        method: "oidc",
        preset: "github",
        audience: "tessera",
        claims: { repository: "acme/app", ref: ["refs/heads/main", "refs/tags/v*"], sub: "a=b" },
      },
    ]);
  });
  it("builds an aws_iam rule from --aws-account, --aws-arn and --claim", () => {
    const rules = joinRulesFromFlags({
      "join-method": ["aws_iam"],
      "aws-account": ["123456789012", "210987654321"],
      "aws-arn": ["arn:aws:iam::123456789012:role/ci-*"],
      claim: ["role=ci-runner"],
    });
    assert.deepEqual(rules, [
      {
        method: "aws_iam",
        claims: { role: "ci-runner", account: ["123456789012", "210987654321"], arn: "arn:aws:iam::123456789012:role/ci-*" },
      },
    ]);
    assert.throws(
      () => joinRulesFromFlags({ "join-method": ["oidc"], "aws-account": ["123456789012"] }),
      /for --join-method aws_ec2 or aws_iam/,
    );
    assert.throws(() => joinRulesFromFlags({ "join-rules": "[]", "aws-arn": ["x"] }), /replaces/);
  });
  it("takes --join-rules as JSON, alone", () => {
    assert.deepEqual(joinRulesFromFlags({ "join-rules": '[{"method":"gcp","claims":{"project_id":"p"}}]' }), [
      { method: "gcp", claims: { project_id: "p" } },
    ]);
    assert.throws(() => joinRulesFromFlags({ "join-rules": "[]", claim: ["a=b"] }), /replaces/);
    assert.throws(() => joinRulesFromFlags({ "join-rules": "{" }), /JSON array/);
    assert.throws(() => joinRulesFromFlags({ claim: ["nope"] }), /NAME=GLOB/);
    assert.throws(() => joinRulesFromFlags({ "join-method": ["oidc", "gcp"], claim: ["a=b"] }), /ambiguous/);
  });
  it("builds an aws_ec2 rule from --aws-account, --aws-region, --claim, --max-join-age and --allow-rejoin", () => {
    const rules = joinRulesFromFlags({
      "join-method": ["aws_ec2"],
      "aws-account": ["123456789012"],
      "aws-region": ["eu-west-1", "eu-central-1"],
      claim: ["ami_id=ami-0abc*"],
      "max-join-age": "10m",
      "allow-rejoin": true,
    });
    assert.deepEqual(rules, [
      {
        method: "aws_ec2",
        claims: { ami_id: "ami-0abc*", account: "123456789012", region: ["eu-west-1", "eu-central-1"] },
        max_join_age: "10m",
        allow_rejoin: true,
      },
    ]);
    assert.throws(() => joinRulesFromFlags({ "join-method": ["gcp"], "aws-account": ["123456789012"] }), /for --join-method aws_ec2/);
    assert.throws(() => joinRulesFromFlags({ "join-rules": "[]", "aws-region": ["x"] }), /replaces/);
  });
});
