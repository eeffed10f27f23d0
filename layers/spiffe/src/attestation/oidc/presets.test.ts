import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { JWTPayload } from "jose";
import { FixedClock } from "../../clock.js";
import type { JoinRule } from "../../store/types.js";
import { KeySetCache } from "../jwt/key-set-cache.js";
import { LocalIssuer } from "../test/local-issuer.js";
import { memoryReplay, rejectsWithCode } from "../test/memory-replay.js";
import { AWS_STS_NAMESPACE } from "./aws-sts-preset.js";
import { azureDiscoveryUrl } from "./azure-preset.js";
import { OidcVerifier } from "./oidc-verifier.js";

const policy = { allowHttpLoopback: true };
const AUDIENCE = "spiffe://example.org";
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const OBJECT_ID = "5b1c6f2e-0d2a-4c8b-9f0e-1a2b3c4d5e6f";
const MI_RESOURCE_ID =
  "/subscriptions/0b1f6471-1bf0-4dda-aec3-111122223333/resourcegroups/payments-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/payments-api";

/** Claims of a `GetWebIdentityToken` token minted by a Lambda function's execution role. */
function awsClaims(overrides: JWTPayload = {}, aws: Record<string, unknown> = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return {
    aud: AUDIENCE,
    sub: "arn:aws:iam::111122223333:role/service-role/deployer",
    iat: now,
    exp: now + 300,
    jti: randomUUID(),
    [AWS_STS_NAMESPACE]: {
      aws_account: "111122223333",
      source_region: "eu-west-1",
      org_id: "o-abc1234567",
      principal_tags: { team: "payments", "cost-center": "42", nested: { no: "objects" } },
      lambda_source_function_arn: "arn:aws:lambda:eu-west-1:111122223333:function:deploy-hook",
      ...aws,
    },
    ...overrides,
  };
}

/** Claims of an Entra ID v2 access token for a user-assigned managed identity (no `jti`: Entra sends `uti`). */
function azureClaims(overrides: JWTPayload = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  return {
    aud: AUDIENCE,
    sub: OBJECT_ID,
    oid: OBJECT_ID,
    tid: TENANT,
    azp: "0f5e1d2c-3b4a-4958-8776-655443322110",
    idtyp: "app",
    ver: "2.0",
    uti: randomUUID(),
    xms_mirid: MI_RESOURCE_ID,
    iat: now,
    nbf: now,
    exp: now + 3600,
    ...overrides,
  };
}

describe("oidc presets", () => {
  let aws: LocalIssuer;
  let azure: LocalIssuer;
  let verifier: OidcVerifier;
  const clock = new FixedClock(Date.now());
  const attest = (token: string, rules: JoinRule[], replay = memoryReplay()) => verifier.attest({ token }, rules, { clock, replay });
  const awsRule = (claims: Record<string, unknown>, extra: Record<string, unknown> = {}): JoinRule => ({
    method: "oidc",
    preset: "aws_sts",
    issuer: aws.issuer,
    audience: AUDIENCE,
    claims,
    ...extra,
  });
  const azureRule = (claims: Record<string, unknown>, issuer = azure.issuer): JoinRule => ({
    method: "oidc",
    preset: "azure",
    issuer,
    audience: AUDIENCE,
    claims,
  });

  before(async () => {
    aws = await LocalIssuer.start();
    azure = await LocalIssuer.start({ path: `/${TENANT}/v2.0` });
    verifier = new OidcVerifier({ policy, cache: new KeySetCache(policy, clock) });
  });
  after(async () => {
    await aws.close();
    await azure.close();
  });

  describe("aws_sts", () => {
    it("verifies an ES384 web identity token and establishes the account, role, region and the calling Lambda function", async () => {
      const rule = await verifier.validateRule(awsRule({ role: "deployer", "principal_tag:team": "payments" }));
      assert.deepEqual(rule.algorithms, ["RS256", "ES384"]);
      const { attributes } = await attest(await aws.sign(awsClaims(), "ES384"), [rule]);
      assert.deepEqual(
        [
          attributes.account,
          attributes.role,
          attributes.region,
          attributes.org_id,
          attributes.lambda_function,
          attributes.lambda_function_arn,
        ],
        [
          "111122223333",
          "deployer",
          "eu-west-1",
          "o-abc1234567",
          "deploy-hook",
          "arn:aws:lambda:eu-west-1:111122223333:function:deploy-hook",
        ],
      );
      assert.equal(attributes["principal_tag:team"], undefined, "tags are for rules only, never attributes");
    });

    it("establishes an EC2 instance's id from ec2_source_instance_arn", async () => {
      const rule = await verifier.validateRule(awsRule({ ec2_instance_id: "i-*" }));
      const token = await aws.sign(
        awsClaims(
          {},
          {
            lambda_source_function_arn: undefined,
            ec2_source_instance_arn: "arn:aws:ec2:eu-west-1:111122223333:instance/i-0abc123def4567890",
          },
        ),
      );
      const { attributes } = await attest(token, [rule]);
      assert.deepEqual([attributes.ec2_instance_id, attributes.lambda_function], ["i-0abc123def4567890", undefined]);
    });

    it("matches principal tags by principal_tag:<key>, and refuses a token whose tag or role differs", async () => {
      const rule = await verifier.validateRule(awsRule({ role: "deployer", "principal_tag:team": "payments" }));
      const otherTeam = awsClaims({}, { principal_tags: { team: "marketing" } });
      await rejectsWithCode(attest(await aws.sign(otherTeam, "ES384"), [rule]), "ERR_JOIN_RULE_MISMATCH");
      const otherRole = awsClaims({ sub: "arn:aws:iam::111122223333:role/deployer-old" });
      await rejectsWithCode(attest(await aws.sign(otherRole), [rule]), "ERR_JOIN_RULE_MISMATCH");
    });

    it("gives the AWS attributes to aws_sts rules only: a generic rule over the same issuer sees none", async () => {
      const generic = await verifier.validateRule({
        method: "oidc",
        issuer: aws.issuer,
        audience: AUDIENCE,
        claims: { sub: "arn:aws:iam::111122223333:role/*" },
      });
      const { attributes } = await attest(await aws.sign(awsClaims(), "ES384"), [generic]);
      assert.equal(attributes.account, undefined);
      assert.equal(attributes.sub, "arn:aws:iam::111122223333:role/service-role/deployer");
    });

    it("refuses algorithms AWS does not sign with (ES256), even from the issuer's own key", async () => {
      const rule = await verifier.validateRule(awsRule({ role: "deployer" }));
      await rejectsWithCode(attest(await aws.sign(awsClaims(), "ES256"), [rule]), "ERR_JOIN_PROOF_INVALID");
    });

    it("refuses rules that name no principal or compute, and algorithms outside RS256/ES384", async () => {
      await rejectsWithCode(verifier.validateRule(awsRule({ account: "111122223333" })), "ERR_POLICY_INVALID");
      await rejectsWithCode(verifier.validateRule(awsRule({ "principal_tag:team": "payments" })), "ERR_POLICY_INVALID");
      await rejectsWithCode(verifier.validateRule(awsRule({ role: "deployer" }, { algorithms: ["PS256"] })), "ERR_POLICY_INVALID");
    });
  });

  describe("azure", () => {
    it("verifies a managed identity's token from a tenant issuer's discovery and establishes the identity", async () => {
      const rule = await verifier.validateRule(azureRule({ object_id: OBJECT_ID, resource_group: "payments-*" }));
      const replay = memoryReplay();
      const { attributes } = await attest(await azure.sign(azureClaims()), [rule], replay);
      assert.deepEqual(
        [
          attributes.tenant_id,
          attributes.object_id,
          attributes.client_id,
          attributes.subscription_id,
          attributes.resource_group,
          attributes.resource_name,
        ],
        [TENANT, OBJECT_ID, "0f5e1d2c-3b4a-4958-8776-655443322110", "0b1f6471-1bf0-4dda-aec3-111122223333", "payments-rg", "payments-api"],
      );
      assert.match([...replay.keys][0] as string, /\/sha256:[0-9a-f]{64}$/, "no jti: the token's hash is recorded");
    });

    it("takes the client id from appid in v1 tokens", async () => {
      const rule = await verifier.validateRule(azureRule({ client_id: "11111111-2222-3333-4444-555555555555" }));
      const v1 = azureClaims({ azp: undefined, appid: "11111111-2222-3333-4444-555555555555", ver: "1.0" });
      assert.equal((await attest(await azure.sign(v1), [rule])).attributes.client_id, "11111111-2222-3333-4444-555555555555");
    });

    it("refuses another identity of the tenant with ERR_JOIN_RULE_MISMATCH", async () => {
      const rule = await verifier.validateRule(azureRule({ oid: OBJECT_ID }));
      await rejectsWithCode(attest(await azure.sign(azureClaims({ oid: randomUUID() })), [rule]), "ERR_JOIN_RULE_MISMATCH");
    });

    it("refuses multi-tenant issuers and rules that do not name the identity", async () => {
      for (const issuer of [
        "https://login.microsoftonline.com/common/v2.0",
        "https://login.microsoftonline.com/organizations/v2.0",
        `https://login.microsoftonline.com/${TENANT}/oauth2`,
      ]) {
        await rejectsWithCode(verifier.validateRule(azureRule({ oid: OBJECT_ID }, issuer)), "ERR_POLICY_INVALID");
      }
      await rejectsWithCode(verifier.validateRule(azureRule({ tid: TENANT })), "ERR_POLICY_INVALID");
      assert.ok(await verifier.validateRule(azureRule({ oid: OBJECT_ID }, `https://sts.windows.net/${TENANT}/`)));
    });

    it("discovers v1 issuers (sts.windows.net) at login.microsoftonline.com, v2 issuers below themselves", () => {
      assert.equal(
        azureDiscoveryUrl(new URL(`https://sts.windows.net/${TENANT}/`)),
        `https://login.microsoftonline.com/${TENANT}/.well-known/openid-configuration`,
      );
      assert.equal(azureDiscoveryUrl(new URL(`https://login.microsoftonline.com/${TENANT}/v2.0`)), undefined);
    });
  });
});
