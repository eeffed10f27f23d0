import { runRevocationSuite } from "../revocation/revocation-suite.js";
import { startAwsIssuer } from "../support/aws-issuer.js";

runRevocationSuite("DynamoDB and KMS on the AWS endpoint", () => startAwsIssuer());
