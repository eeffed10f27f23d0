import { buildRuntime, createEmfMetrics, loadConfig, type HttpHandler } from "../../layers/spiffe/src/index.js";
import { createJoinHandler } from "./create-handler.js";

const ready = buildRuntime(loadConfig(process.env)).then((runtime) => createJoinHandler(runtime, createEmfMetrics()));

/** Lambda entry point; dependencies are built once per cold start. */
export const handler: HttpHandler = async (event, context) => (await ready)(event, context);
