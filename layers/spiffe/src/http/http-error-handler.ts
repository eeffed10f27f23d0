import type { Logger } from "../logger.js";
import { TesseraError } from "../errors.js";
import type { RequestMetrics } from "./emf-metrics.js";
import type { Middleware } from "./lambda-chain.js";
import { jsonResponse } from "./responses.js";
import { RETRY_AFTER_SECONDS_BY_CODE, statusForCode } from "./status-table.js";
import type { HttpEvent, HttpResult } from "./types.js";

/**
 * Map errors to responses through the status table: codes below 500 are shown to the caller with
 * their message; everything else becomes a generic 500 and is logged with its detail.
 */
export function httpErrorHandler(options: {
  logger: Pick<Logger, "info" | "error">;
  metrics?: RequestMetrics;
}): Middleware<HttpEvent, HttpResult> {
  return {
    onError: (request) => {
      const err = request.error as Error | undefined;
      const code = err instanceof TesseraError ? err.code : undefined;
      const status = statusForCode(code);
      const route = request.event?.routeKey;
      if (status >= 500) {
        options.logger.error("request failed", { route, code: code ?? "ERR_INTERNAL", error: err });
        const retry = code ? RETRY_AFTER_SECONDS_BY_CODE[code] : undefined;
        const expose = code !== undefined && retry !== undefined;
        options.metrics?.answeredError(expose ? status : 500, expose ? code : "ERR_INTERNAL");
        request.response = jsonResponse(
          expose ? status : 500,
          { error: { code: expose ? code : "ERR_INTERNAL", message: expose ? err!.message : "internal error" } },
          retry !== undefined ? { "retry-after": String(retry) } : {},
        );
        return;
      }
      options.logger.info("request refused", { route, code, status });
      options.metrics?.answeredError(status, code ?? "ERR_INTERNAL");
      request.response = jsonResponse(status, { error: { code, message: err!.message } });
    },
  };
}
