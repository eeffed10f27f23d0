import { runIssuanceCountSuite } from "../issuer/admin-issuance-counts-suite.js";
import { startAwsIssuer } from "../support/aws-issuer.js";

runIssuanceCountSuite("DynamoDB", () => startAwsIssuer());
