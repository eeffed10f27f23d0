import { buildRuntime, createBundlePublishers, createTrustAnchorCalls, loadConfig } from "../../layers/spiffe/src/index.js";
import { createBootstrapHandler, type BootstrapHandler } from "./create-bootstrap-handler.js";

const config = loadConfig(process.env);
const ready = buildRuntime(config).then((runtime) =>
  createBootstrapHandler({ ...runtime, publishers: createBundlePublishers(config), trustAnchors: createTrustAnchorCalls({ endpoint: config.awsEndpoints.rolesanywhere }) }),
);

/** Lambda entry point of the deployment's custom resource (CDK Provider framework onEvent). */
export const handler: BootstrapHandler = async (event, context) => (await ready)(event, context);
