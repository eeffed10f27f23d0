// The CDK app (`cdk.json` runs it with tsx): Tessera's stateful and issuer stacks from context.
import { App } from "aws-cdk-lib";
import { createTesseraStacks } from "../lib/create-app.js";

const app = new App();
createTesseraStacks(app);
app.synth();
