// Deployment variants: without IAM Roles Anywhere (e.g. an emulator that lacks it; one full
// synth), and the destroy removal policy of the trust anchor (the bootstrap construct alone).
import { Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TesseraBootstrap } from "../../infra/lib/bootstrap.js";
import { readSettings } from "../../infra/lib/settings.js";
import { TesseraStatefulStack } from "../../infra/lib/stateful-stack.js";
import { actionsOf, logicalIdOf, nagFindings, newApp, statementsOfRole, synthTessera } from "./support.js";

describe("rolesAnywhere=false", () => {
  const synth = synthTessera({ rolesAnywhere: false });
  const template = synth.issuerTemplate;
  const actions = (roleId: string) => statementsOfRole(template, roleId).flatMap(actionsOf);

  it("creates no trust anchor, profile or example role, and the custom resource asks for none", () => {
    template.resourceCountIs("AWS::RolesAnywhere::Profile", 0);
    assert.equal(synth.issuer.bootstrap.trustAnchor, undefined);
    assert.equal(synth.issuer.rolesAnywhere, undefined);
    const [resource] = Object.values(template.findResources("Custom::TesseraBootstrap"));
    assert.deepEqual(Object.keys(resource!.Properties).sort(), ["ServiceToken", "TrustDomain"]);
    assert.ok(!("TrustAnchorArn" in (template.toJSON().Outputs as object)));
  });

  it("grants no Roles Anywhere action and sets no trust anchor id", () => {
    for (const fn of [synth.issuer.rotate, synth.issuer.bootstrap.handler]) {
      assert.deepEqual(
        actions(logicalIdOf(synth.issuer, fn.role)).filter((a) => a.startsWith("rolesanywhere:")),
        [],
      );
      const env = template.toJSON().Resources[logicalIdOf(synth.issuer, fn.function)].Properties.Environment.Variables;
      assert.equal(env.TESSERA_TRUST_ANCHOR_ID, undefined);
    }
  });

  it("still makes the first CA at deployment and publishes to the bucket", () => {
    const role = logicalIdOf(synth.issuer, synth.issuer.bootstrap.handler.role);
    assert.ok(actions(role).includes("kms:CreateKey"));
    assert.ok(actions(role).includes("s3:PutObject"));
  });

  it("is cdk-nag clean, with no acknowledgment left for what is not there", () => {
    assert.deepEqual(nagFindings(synth.app), []);
  });
});

describe("trustAnchorRemovalPolicy=destroy", () => {
  it("passes the policy to the custom resource and lets its function delete only Tessera's anchor", () => {
    const app = newApp({ trustAnchorRemovalPolicy: "destroy" });
    const settings = readSettings(app.node);
    const stateful = new TesseraStatefulStack(app, "Stateful", { settings });
    const stack = new Stack(app, "Issuer");
    const bootstrap = new TesseraBootstrap(stack, "Bootstrap", {
      settings,
      table: stateful.table,
      keys: stateful.keys,
      bundleBucket: stateful.bundleBucket,
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties("Custom::TesseraBootstrap", { TrustAnchorRemovalPolicy: "destroy" });
    const own = statementsOfRole(template, logicalIdOf(stack, bootstrap.handler.role)).find((s) => s.Sid === "ManageOwnTrustAnchor")!;
    assert.deepEqual(actionsOf(own), [
      "rolesanywhere:DeleteTrustAnchor",
      "rolesanywhere:GetTrustAnchor",
      "rolesanywhere:ListTagsForResource",
      "rolesanywhere:UpdateTrustAnchor",
    ]);
    assert.deepEqual(own.Condition, { StringEquals: { "aws:ResourceTag/tessera:trust-domain": "example.org" } });
  });
});
