import { buildFunctionRuntime } from "#tessera/aws";
import { createEmfMetrics, type HttpHandler } from "#tessera/contract";
import { createJoinVerifiers, loadConfig } from "#tessera/issuer";
import { createJoinHandler } from "./create-handler.js";

const config = loadConfig(process.env);
const runtime = buildFunctionRuntime(config, { verifiers: (clock) => createJoinVerifiers({ clock, ...config.join }) });
const join = createJoinHandler(runtime, createEmfMetrics());

/** Lambda entry point; dependencies are built once per cold start. */
export const handler: HttpHandler = (event, context) => join(event, context);
