/**
 * runtime: wiring. Turns a `TesseraConfig` into the store, key manager, authority cache and the
 * dependencies of every use case, once per process.
 */
export { buildRuntime, createLogger, type RuntimeOverrides, type TesseraRuntime } from "./build-runtime.js";
