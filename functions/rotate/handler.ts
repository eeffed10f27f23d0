import { buildFunctionRuntime, createBundlePublishers, createCrlPublishers, openKeys } from "#tessera/aws";
import { loadConfig } from "#tessera/issuer";
import { createRotateHandler, type RotateHandler } from "./create-handler.js";

const config = loadConfig(process.env);
const runtime = buildFunctionRuntime(config, { keys: openKeys, crlPublishers: createCrlPublishers(config) });
const rotate = createRotateHandler({ ...runtime, publishers: createBundlePublishers(config) });

/** Lambda entry point of the rotation schedule; dependencies are built once per cold start. */
export const handler: RotateHandler = (event, context) => rotate(event, context);
