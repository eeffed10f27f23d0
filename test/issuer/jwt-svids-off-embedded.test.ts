import { startEmbeddedIssuer } from "../support/issuer-harness.js";
import { runJwtSvidsOffSuite } from "./jwt-svids-off-suite.js";

runJwtSvidsOffSuite("embedded store and disk keys", (env) => startEmbeddedIssuer("jwt-svids-off-embedded", env));
