import { runJwtSvidsOffSuite } from "../issuer/jwt-svids-off-suite.js";
import { startAwsIssuer } from "../support/aws-issuer.js";

runJwtSvidsOffSuite("DynamoDB and KMS on the AWS endpoint", (env) => startAwsIssuer(env));
