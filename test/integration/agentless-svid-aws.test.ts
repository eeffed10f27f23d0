import { runAgentlessSvidSuite } from "../issuer/agentless-svid-suite.js";
import { startAwsIssuer } from "../support/aws-issuer.js";

runAgentlessSvidSuite("DynamoDB and KMS on the AWS endpoint", (env) => startAwsIssuer(env));
