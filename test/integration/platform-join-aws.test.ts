import { runPlatformJoinSuite } from "../issuer/platform-join-suite.js";
import { startAwsIssuer } from "../support/aws-issuer.js";

runPlatformJoinSuite("DynamoDB and KMS on the AWS endpoint", (env) => startAwsIssuer(env));
