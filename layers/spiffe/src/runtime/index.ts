/**
 * runtime: wiring. Turns a `TesseraConfig` into the store, key manager, authority cache and the
 * dependencies of every use case, once per process: only the parts a Lambda function uses
 * (`buildFunctionRuntime`). `buildRuntime` (every part the configuration allows, for `tessera dev`
 * and tests) is imported from its own file, through the `#tessera/dev` entry point.
 */
export { assembleRuntime, type RuntimeParts, type TesseraRuntime } from "./assemble-runtime.js";
export { buildFunctionRuntime, openDynamoDbStore, type FunctionRuntimeParts } from "./build-function-runtime.js";
export { createLogger } from "./create-logger.js";
export { openKeys } from "./open-keys.js";
