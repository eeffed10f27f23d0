import { CfnOutput, Stack } from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";
import * as rolesanywhere from "aws-cdk-lib/aws-rolesanywhere";
import { Construct } from "constructs";
import type { TesseraSettings } from "./settings.js";

/** Inputs of `TesseraRolesAnywhere`. */
export interface TesseraRolesAnywhereProps {
  settings: TesseraSettings;
  trustAnchorArn: string;
}

/** The Roles Anywhere service principal. */
const ROLES_ANYWHERE = "rolesanywhere.amazonaws.com";

/**
 * A Roles Anywhere profile and an example role for workloads holding Tessera X.509-SVIDs. The
 * role trusts Roles Anywhere only for sessions made through Tessera's trust anchor
 * (`aws:SourceArn`) and only for the configured SPIFFE ID (the certificate's URI SAN, which Roles
 * Anywhere maps to `aws:PrincipalTag/x509SAN/URI`). It carries no permissions: attach what the
 * workload needs.
 */
export class TesseraRolesAnywhere extends Construct {
  readonly profile: rolesanywhere.CfnProfile;
  readonly exampleRole: iam.Role;

  constructor(scope: Construct, id: string, props: TesseraRolesAnywhereProps) {
    super(scope, id);
    const { settings } = props;
    const conditions = {
      ArnEquals: { "aws:SourceArn": props.trustAnchorArn },
      StringEquals: { "aws:PrincipalTag/x509SAN/URI": settings.exampleSpiffeId },
    };
    this.exampleRole = new iam.Role(this, "ExampleRole", {
      description: `Example role for workloads with the SPIFFE ID ${settings.exampleSpiffeId}`,
      assumedBy: new iam.ServicePrincipal(ROLES_ANYWHERE).withConditions(conditions),
    });
    this.exampleRole.assumeRolePolicy!.addStatements(
      new iam.PolicyStatement({
        actions: ["sts:SetSourceIdentity", "sts:TagSession"],
        principals: [new iam.ServicePrincipal(ROLES_ANYWHERE)],
        conditions,
      }),
    );
    this.profile = new rolesanywhere.CfnProfile(this, "Profile", {
      name: settings.trustAnchorName,
      enabled: true,
      roleArns: [this.exampleRole.roleArn],
      durationSeconds: 3600,
    });
    const stack = Stack.of(this);
    new CfnOutput(stack, "TrustAnchorArn", { value: props.trustAnchorArn, description: "Roles Anywhere trust anchor (Tessera's CAs)" });
    new CfnOutput(stack, "ProfileArn", { value: this.profile.attrProfileArn, description: "Roles Anywhere profile" });
    new CfnOutput(stack, "ExampleRoleArn", { value: this.exampleRole.roleArn, description: "Role trusting the example SPIFFE ID" });
  }
}
