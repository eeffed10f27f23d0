/**
 * runtime: wiring. Turns a `TesseraConfig` into the store, key manager, authority cache and the
 * dependencies of every use case, once per process: every part the configuration allows
 * (`buildRuntime`, for `tessera dev` and tests) or only the parts a Lambda function uses
 * (`buildFunctionRuntime`).
 */
export { assembleRuntime, type RuntimeParts, type TesseraRuntime } from "./assemble-runtime.js";
export { buildFunctionRuntime, openDynamoDbStore, type FunctionRuntimeParts } from "./build-function-runtime.js";
export { buildRuntime, type RuntimeOverrides } from "./build-runtime.js";
export { createLogger } from "./create-logger.js";
export { openKeys } from "./open-keys.js";
