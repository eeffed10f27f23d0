import { startEmbeddedIssuer } from "../support/issuer-harness.js";
import { runPlatformJoinSuite } from "./platform-join-suite.js";

runPlatformJoinSuite("embedded store and disk keys", (env) => startEmbeddedIssuer("platform-join-embedded", env));
