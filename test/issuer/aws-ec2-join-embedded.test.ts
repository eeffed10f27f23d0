import { startEmbeddedIssuer } from "../support/issuer-harness.js";
import { runAwsEc2JoinSuite } from "./aws-ec2-join-suite.js";

runAwsEc2JoinSuite("embedded store and disk keys", (env) => startEmbeddedIssuer("aws-ec2-join-embedded", env));
