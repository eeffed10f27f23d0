import { runAwsEc2JoinSuite } from "../issuer/aws-ec2-join-suite.js";
import { startAwsIssuer } from "../support/aws-issuer.js";

runAwsEc2JoinSuite("DynamoDB and KMS on the AWS endpoint", (env) => startAwsIssuer(env));
