import { buildFunctionRuntime, createBundlePublishers, createTrustAnchorCalls, openKeys } from "#tessera/aws";
import { loadConfig } from "#tessera/issuer";
import { createBootstrapHandler, type BootstrapHandler } from "./create-bootstrap-handler.js";

const config = loadConfig(process.env);
const bootstrap = createBootstrapHandler({
  ...buildFunctionRuntime(config, { keys: openKeys }),
  publishers: createBundlePublishers(config),
  trustAnchors: createTrustAnchorCalls({ endpoint: config.awsEndpoints.rolesanywhere }),
});

/** Lambda entry point of the deployment's custom resource (CDK Provider framework onEvent). */
export const handler: BootstrapHandler = (event, context) => bootstrap(event, context);
