import { buildFunctionRuntime, createBundlePublishers, createCrlPublishers, createTrustAnchorCalls } from "#tessera/aws";
import { createEmfMetrics, type HttpHandler } from "#tessera/contract";
import { createJoinRuleValidators, loadConfig } from "#tessera/issuer";
import { createAdminHandler } from "./create-handler.js";

const config = loadConfig(process.env);
const runtime = buildFunctionRuntime(config, {
  crlPublishers: createCrlPublishers(config),
  joinRules: createJoinRuleValidators(config.join),
  ...(config.trustAnchorId ? { trustAnchorCalls: createTrustAnchorCalls({ endpoint: config.awsEndpoints.rolesanywhere }) } : {}),
});
const admin = createAdminHandler(runtime, createBundlePublishers(config), createEmfMetrics());

/** Lambda entry point; dependencies are built once per cold start. */
export const handler: HttpHandler = (event, context) => admin(event, context);
