import { buildRuntime, createBundlePublishers, createEmfMetrics, loadConfig, type HttpHandler } from "../../layers/spiffe/src/index.js";
import { createAdminHandler } from "./create-handler.js";

const config = loadConfig(process.env);
const ready = buildRuntime(config).then((runtime) => createAdminHandler(runtime, createBundlePublishers(config), createEmfMetrics()));

/** Lambda entry point; dependencies are built once per cold start. */
export const handler: HttpHandler = async (event, context) => (await ready)(event, context);
