/**
 * Tessera's SPIFFE library: the domain (SPIFFE IDs, X.509-SVIDs, JWT-SVIDs, bundles, the CA),
 * its pluggable parts (key managers, stores), the use cases behind the Lambda functions, and the
 * only code that talks to AWS. Functions, the agent and the CLI import from here only.
 */
export * from "./errors.js";
export { FixedClock, systemClock, type Clock } from "./clock.js";
export { backoffDelayMs, type BackoffPolicy, type Jitter } from "./backoff.js";
export type { Logger } from "./logger.js";
export * from "./spiffeid/index.js";
export * from "./x509svid/index.js";
export * from "./jwtsvid/index.js";
export * from "./bundle/index.js";
export * from "./bundlepublisher/index.js";
export * from "./oidcdiscovery/index.js";
export * from "./files/index.js";
export * from "./keymanager/index.js";
export * from "./store/index.js";
export * from "./credential/index.js";
export * from "./audit/index.js";
export * from "./ca/index.js";
export * from "./rotation/index.js";
export * from "./crl/index.js";
export * from "./revocation/index.js";
export * from "./issuer/index.js";
export * from "./admin/index.js";
export * from "./config/index.js";
export * from "./contract/index.js";
export * from "./http/index.js";
export * from "./runtime/index.js";
export * from "./aws/index.js";
export * from "./client/index.js";
