/**
 * config: Tessera's configuration, read from the environment in one place (`loadConfig`), which
 * fails naming the variable at fault. No other code reads `process.env`.
 */
export { CONFIG_DEFAULTS, defaultAliasPrefix, loadConfig, type TesseraConfig } from "./load-config.js";
export { parseDurationSeconds } from "./parse-duration.js";
