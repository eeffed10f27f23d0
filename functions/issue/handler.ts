import { buildRuntime, createEmfMetrics, loadConfig, type HttpHandler } from "../../layers/spiffe/src/index.js";
import { createIssueHandler } from "./create-handler.js";

const ready = buildRuntime(loadConfig(process.env)).then((runtime) => createIssueHandler(runtime, createEmfMetrics()));

/** Lambda entry point; dependencies are built once per cold start. */
export const handler: HttpHandler = async (event, context) => (await ready)(event, context);
