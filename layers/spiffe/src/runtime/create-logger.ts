import { Logger } from "@aws-lambda-powertools/logger";
import type { Logger as TesseraLogger } from "../logger.js";

/** A Powertools logger with Tessera's service name. */
export function createLogger(level: string): TesseraLogger {
  const logger = new Logger({ serviceName: "tessera", logLevel: level as never });
  return {
    debug: (message, fields) => logger.debug(message, fields ?? {}),
    info: (message, fields) => logger.info(message, fields ?? {}),
    warn: (message, fields) => logger.warn(message, fields ?? {}),
    error: (message, fields) => logger.error(message, fields ?? {}),
    addContext: (context) => logger.addContext(context as never),
  };
}
