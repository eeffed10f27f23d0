import { CfnOutput } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import { Construct } from "constructs";
import type { TesseraSettings } from "./settings.js";
import { TesseraFunction } from "./tessera-function.js";

/** Inputs of `TesseraAgentlessExample`. */
export interface TesseraAgentlessExampleProps {
  settings: TesseraSettings;
  example: NonNullable<TesseraSettings["agentlessExample"]>;
  /** The issuer's API URL, with a trailing slash. */
  issuerUrl: string;
}

/**
 * The optional example of SVIDs with no agent (`examples/agentless-lambda`): a function whose role
 * may only ask STS for its own web identity token, for the trust domain's audience, and that sends
 * it to the issuer's SVID routes. Nothing else: no table, no keys.
 */
export class TesseraAgentlessExample extends Construct {
  readonly fn: TesseraFunction;

  constructor(scope: Construct, id: string, props: TesseraAgentlessExampleProps) {
    super(scope, id);
    const audience = `spiffe://${props.settings.trustDomain}`;
    this.fn = new TesseraFunction(this, "Example", {
      entry: "examples/agentless-lambda/handler.ts",
      description: "Example: X.509-SVID and JWT-SVID with no agent, by the function's own STS web identity token",
      settings: props.settings,
      memorySize: 256,
    });
    this.fn.function
      .addEnvironment("TESSERA_ISSUER_URL", props.issuerUrl)
      .addEnvironment("TESSERA_TOKEN_AUDIENCE", audience)
      .addEnvironment("TESSERA_BOT_NAME", props.example.botName)
      .addEnvironment("TESSERA_SPIFFE_ID", props.example.spiffeId);
    this.fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: "OwnWebIdentityTokenForTessera",
        actions: ["sts:GetWebIdentityToken"],
        resources: ["*"],
        conditions: {
          "ForAllValues:StringEquals": { "sts:IdentityTokenAudience": [audience] },
          NumericLessThanEquals: { "sts:DurationSeconds": 300 },
        },
      }),
    );
    this.fn.explainWildcards([
      {
        resource: "*",
        reason:
          "sts:GetWebIdentityToken has no resource type: the caller's own identity is what it signs; the audience and lifetime are pinned by conditions.",
      },
    ]);
    new CfnOutput(this, "FunctionName", {
      value: this.fn.function.functionName,
      description: "Invoke it to get SVIDs with no agent (examples/agentless-lambda)",
    });
    new CfnOutput(this, "RoleArn", {
      value: this.fn.role.roleArn,
      description: "The `sub` of its STS web identity tokens: name it in the bot's aws_sts rule",
    });
  }
}
