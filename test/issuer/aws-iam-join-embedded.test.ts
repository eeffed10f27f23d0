import { startEmbeddedIssuer } from "../support/issuer-harness.js";
import { runAwsIamJoinSuite } from "./aws-iam-join-suite.js";

runAwsIamJoinSuite("embedded store and disk keys", (env) => startEmbeddedIssuer("aws-iam-join-embedded", env));
