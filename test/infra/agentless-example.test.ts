// The optional example of SVIDs with no agent: synthesised (one full synth) only with
// agentlessExample=true; the default app has none of it (issuer-stack.test.ts checks that too).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { readSettings } from "../../infra/lib/settings.js";
import { actionsOf, logicalIdOf, nagFindings, newApp, render, statementsOfRole, synthTessera } from "./support.js";

describe("agentlessExample", () => {
  it("is off by default", () => {
    assert.equal(readSettings(newApp().node).agentlessExample, undefined);
    assert.equal(readSettings(newApp({ agentlessExample: "false" }).node).agentlessExample, undefined);
  });

  it("refuses a bot name or SPIFFE ID the issuer would refuse, naming the context key", () => {
    assert.throws(
      () => readSettings(newApp({ agentlessExample: "true", agentlessExampleBotName: "Bad Name" }).node),
      /agentlessExampleBotName/,
    );
    assert.throws(
      () => readSettings(newApp({ agentlessExample: "true", agentlessExampleSpiffeId: "spiffe://other.org/x" }).node),
      /agentlessExampleSpiffeId must be in trust domain example.org/,
    );
    assert.throws(
      () => readSettings(newApp({ agentlessExample: "true", agentlessExampleSpiffeId: "spiffe://example.org/a/../b" }).node),
      /agentlessExampleSpiffeId/,
    );
  });

  describe("=true", () => {
    const synth = synthTessera({ agentlessExample: "true" });
    const example = synth.issuer.agentlessExample;

    it("adds the example function, pointed at the issuer's API, with the bot and SPIFFE ID it asks for", () => {
      assert.ok(example);
      const fn = synth.issuerTemplate.toJSON().Resources[logicalIdOf(synth.issuer, example.fn.function)];
      const env = fn.Properties.Environment.Variables as Record<string, unknown>;
      assert.equal(env.TESSERA_BOT_NAME, "agentless-example");
      assert.equal(env.TESSERA_SPIFFE_ID, "spiffe://example.org/lambda/agentless-example");
      assert.equal(env.TESSERA_TOKEN_AUDIENCE, "spiffe://example.org");
      assert.match(render(env.TESSERA_ISSUER_URL), /^https:\/\/<.*HttpApi.*>\.execute-api\./);
      assert.equal(env.TESSERA_TABLE_NAME, undefined, "the example has no store");
    });

    it("lets its role ask STS only for its own token, for the trust domain's audience, and nothing else", () => {
      assert.ok(example);
      const statements = statementsOfRole(synth.issuerTemplate, logicalIdOf(synth.issuer, example.fn.role));
      const sts = statements.find((s) => s.Sid === "OwnWebIdentityTokenForTessera");
      assert.deepEqual(actionsOf(sts!), ["sts:GetWebIdentityToken"]);
      assert.deepEqual(sts!.Condition, {
        "ForAllValues:StringEquals": { "sts:IdentityTokenAudience": ["spiffe://example.org"] },
        NumericLessThanEquals: { "sts:DurationSeconds": 300 },
      });
      const others = statements.filter((s) => s !== sts).flatMap(actionsOf);
      assert.deepEqual(
        others.filter((a) => !a.startsWith("logs:")),
        [],
      );
    });

    it("stays cdk-nag clean", () => {
      assert.deepEqual(nagFindings(synth.app), []);
    });
  });
});
