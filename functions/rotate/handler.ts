import { buildRuntime, createBundlePublishers, loadConfig } from "../../layers/spiffe/src/index.js";
import { createRotateHandler, type RotateHandler } from "./create-handler.js";

const config = loadConfig(process.env);
const ready = buildRuntime(config).then((runtime) => createRotateHandler({ ...runtime, publishers: createBundlePublishers(config) }));

/** Lambda entry point of the rotation schedule; dependencies are built once per cold start. */
export const handler: RotateHandler = async (event, context) => (await ready)(event, context);
