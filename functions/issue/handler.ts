import { buildFunctionRuntime, openKeys } from "#tessera/aws";
import { createEmfMetrics, type HttpHandler } from "#tessera/contract";
import { loadConfig } from "#tessera/issuer";
import { createIssueHandler } from "./create-handler.js";

const issue = createIssueHandler(buildFunctionRuntime(loadConfig(process.env), { keys: openKeys }), createEmfMetrics());

/** Lambda entry point; dependencies are built once per cold start. */
export const handler: HttpHandler = (event, context) => issue(event, context);
