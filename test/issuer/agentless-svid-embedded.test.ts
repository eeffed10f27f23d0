import { startEmbeddedIssuer } from "../support/issuer-harness.js";
import { runAgentlessSvidSuite } from "./agentless-svid-suite.js";

runAgentlessSvidSuite("embedded store and disk keys", (env) => startEmbeddedIssuer("agentless-svid-embedded", env));
