import { buildFunctionRuntime, createTrustAnchorCalls, namePublishers, openKeys } from "#tessera/aws";
import { createEmfMetrics, type HttpHandler } from "#tessera/contract";
import { createJoinRuleValidators, loadConfig } from "#tessera/issuer";
import { createAdminHandler } from "./create-handler.js";

// No publishers here: an emergency rotation or a revocation writes the CA journal or a CRL, and the
// rotate function publishes them when the table's stream shows the change (docs/operations.md).
const config = loadConfig(process.env);
const runtime = buildFunctionRuntime(config, {
  keys: openKeys,
  joinRules: createJoinRuleValidators(config.join),
  ...(config.trustAnchorId ? { trustAnchorCalls: createTrustAnchorCalls({ endpoint: config.awsEndpoints.rolesanywhere }) } : {}),
});
const admin = createAdminHandler(runtime, { scheduled: namePublishers(config) }, createEmfMetrics());

/** Lambda entry point; dependencies are built once per cold start. */
export const handler: HttpHandler = (event, context) => admin(event, context);
