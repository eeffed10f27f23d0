// aws_iam joins through the join function's handler on DynamoDB and KMS at the AWS endpoint (moto),
// with the signed requests checked by a second moto whose STS verifies signatures.
import { runAwsIamJoinSuite } from "../issuer/aws-iam-join-suite.js";
import { startAwsIssuer } from "../support/aws-issuer.js";

runAwsIamJoinSuite("DynamoDB and KMS on the AWS endpoint", (env) => startAwsIssuer(env));
