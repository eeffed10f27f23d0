import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import type { Middleware } from "./lambda-chain.js";
import type { HttpEvent, HttpResult } from "./types.js";

/** What the HTTP router reports: a success of a route that names a metric, and an error answer by its code. */
export interface RequestMetrics {
  /** One more of `metric` (`X509SvidsIssued`, `JwtSvidsIssued`). */
  succeeded(metric: string): void;
  /** One error answer: `Refusals` (4xx) or `Failures` (5xx), by `code`. */
  answeredError(status: number, code: string): void;
}

/** Metrics as CloudWatch embedded metric format lines, and the middleware that flushes them after each request. */
export interface EmfMetrics {
  metrics: RequestMetrics;
  middleware: Middleware<HttpEvent, HttpResult>;
}

/**
 * Powertools Metrics (EMF on stdout, namespace `Tessera`, service `tessera`): successes are
 * stored and flushed after the request with the cold-start metric; each error answer is one
 * metric with its `code` as a dimension, so refusals can be graphed and alarmed on by code.
 */
export function createEmfMetrics(options: { namespace?: string; functionName?: string } = {}): EmfMetrics {
  const metrics = new Metrics({
    namespace: options.namespace ?? "Tessera",
    serviceName: "tessera",
    ...(options.functionName ? { functionName: options.functionName } : {}),
  });
  return {
    metrics: {
      succeeded: (metric) => metrics.addMetric(metric, MetricUnit.Count, 1),
      answeredError: (status, code) => {
        const single = metrics.singleMetric();
        single.addDimension("code", code);
        single.addMetric(status < 500 ? "Refusals" : "Failures", MetricUnit.Count, 1);
      },
    },
    middleware: logMetrics(metrics, { captureColdStartMetric: true }) as Middleware<HttpEvent, HttpResult>,
  };
}
