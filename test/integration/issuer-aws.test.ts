import { runIssuerSuite } from "../issuer/issuer-suite.js";
import { startAwsIssuer } from "../support/aws-issuer.js";

runIssuerSuite("DynamoDB and KMS on the AWS endpoint", () => startAwsIssuer());
