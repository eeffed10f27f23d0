import { startEmbeddedIssuer } from "../support/issuer-harness.js";
import { runX509BatchSuite } from "./x509-batch-suite.js";

runX509BatchSuite("embedded store and disk keys", (env) => startEmbeddedIssuer("x509-batch-embedded", env));
