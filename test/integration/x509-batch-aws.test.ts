import { runX509BatchSuite } from "../issuer/x509-batch-suite.js";
import { startAwsIssuer } from "../support/aws-issuer.js";

runX509BatchSuite("DynamoDB and KMS on the AWS endpoint", (env) => startAwsIssuer(env));
