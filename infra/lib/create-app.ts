import { Tags, Validations, type App } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { TesseraIssuerStack } from "./issuer-stack.js";
import { readSettings, type TesseraSettings } from "./settings.js";
import { TesseraStatefulStack } from "./stateful-stack.js";

/** The two stacks of a deployment. */
export interface TesseraStacks {
  settings: TesseraSettings;
  stateful: TesseraStatefulStack;
  issuer: TesseraIssuerStack;
}

/**
 * Build Tessera's stacks into `app` from its context: the stateful stack and the issuer stack,
 * environment-agnostic (nothing is looked up, so `cdk synth` runs offline), checked by cdk-nag's
 * AwsSolutions rules (a finding that is not acknowledged with a reason fails the synth).
 */
export function createTesseraStacks(app: App): TesseraStacks {
  const settings = readSettings(app.node);
  const stateful = new TesseraStatefulStack(app, `${settings.stackPrefix}Stateful`, {
    settings,
    description: `Tessera ${settings.trustDomain}: store table, bundle bucket (retained)`,
  });
  const issuer = new TesseraIssuerStack(app, `${settings.stackPrefix}Issuer`, {
    settings,
    stateful: { table: stateful.table, bundleBucket: stateful.bundleBucket, keys: stateful.keys },
    description: `Tessera ${settings.trustDomain}: API, functions, rotation, Roles Anywhere trust anchor`,
  });
  Tags.of(app).add("tessera:trust-domain", settings.trustDomain);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { settings, stateful, issuer };
}
